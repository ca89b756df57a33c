/* elfinfo: what an ELF file needs at run time (PT_INTERP, DT_NEEDED,
 * DT_RUNPATH, DT_RPATH, the symbol versions of DT_VERNEED) and provides
 * (DT_VERDEF), and named sections of relocatable files (a kernel module's
 * .modinfo): elf.c.  Resolving those needs in a tree of components:
 * elf_closure.c.  64-bit little-endian only, bounds-checked throughout. */
#ifndef PADDOCK_ELFINFO_H
#define PADDOCK_ELFINFO_H

#include <stddef.h>

#include "perr.h"
#include "strv.h"

struct elf_info {
	int is_elf;     /* 0: not an ELF file (the rest is empty) */
	char *interp;   /* PT_INTERP or NULL (static) */
	char **needed;  /* DT_NEEDED, in order */
	size_t nneeded;
	char *runpath;  /* DT_RUNPATH or NULL */
	char *rpath;    /* DT_RPATH or NULL */
	/* "FILE VERSION" for every symbol version the file needs from a
	 * library ("libc.so.6 GLIBC_2.34"); weak ones, which the dynamic
	 * linker does not insist on, are left out */
	struct strv verneed;
	/* the versions the file defines ("GLIBC_2.34"), its own name left out */
	struct strv verdef;
};

int elf_read(const char *path, struct elf_info *out, struct perr *err);
int elf_parse(const char *name, const unsigned char *buf, size_t len, struct elf_info *out,
	      struct perr *err);
void elf_info_free(struct elf_info *e);

/* Copies section `section` of the ELF file at path into a new buffer; -ENOENT
 * (with *err set) when there is none. */
int elf_section(const char *path, const char *section, char **ret, size_t *ret_len,
		struct perr *err);

/* The file tree a closure is resolved in: a stack of unpacked component
 * trees seen as one root file system. */
struct elf_root {
	char **dirs;    /* host directories, searched in order */
	char **names;   /* component name of each, for messages */
	size_t n;
};

/* Called for every path of the image the closure needs: `path` is absolute in
 * the image, `dir` the tree it was found in; symlinks are reported as
 * themselves (their target follows as its own call). */
typedef int (*elf_need_fn)(void *ctx, const char *path, const char *dir, const char *component,
			   struct perr *err);

/* Resolves path in root, following symlinks inside root (never outside);
 * reports every link and the final file through fn.  Returns 0, 1 when fn
 * said it had seen the final file already, or -ENOENT with *err naming
 * path.  *ret_dir points into root (not a new string). */
int elf_root_resolve(const struct elf_root *root, const char *path, elf_need_fn fn, void *ctx,
		     char **ret_final, char **ret_dir, struct perr *err);

/* Reports through fn the interpreter and the shared libraries the ELF file
 * at image path `path` (found in tree `dir`) needs, recursively.  seen is
 * used to stop at files already handled: fn must return 1 for a path it has
 * seen before, 0 for a new one.  An unresolvable library fails with the
 * file and the library named; so does a symbol version the file needs that
 * the library found does not define (a binary built against a newer libc
 * than the image's fails here, not at boot). */
int elf_closure(const struct elf_root *root, const char *path, const char *dir, elf_need_fn fn,
		void *ctx, struct perr *err);

#endif
