/* base_list: the interpreter of configs/base.list (its top comment lists
 * the directives: kernel, modules, dir, file, link, chr, applets, concat,
 * product, images) and, through `images`, of the lists in os-services/images/.
 * It owns the unpacked component trees of one base build and the layer
 * the directives fill. */
#ifndef PADDOCK_BASE_LIST_H
#define PADDOCK_BASE_LIST_H

#include <stddef.h>

#include "components/listfile.h"
#include "components/lock.h"
#include "image/base.h"
#include "image/elfinfo.h"
#include "image/layer.h"
#include "perr.h"

#define BASE_LIST "configs/base.list"

struct base_list {
	const struct base_opts *o;
	const struct lock *lock;
	struct listfile list;          /* ROOT/configs/base.list */
	struct elf_root root;          /* library components, lock order */
	char **tree_of;                /* per lock entry, NULL until unpacked */
	struct layer layer;            /* what the directives add */
	const struct component *kernel; /* of o->flavour */
	char *kernel_release;          /* after base_list_apply */
	size_t nmodules;
};

/* Loads ROOT/configs/base.list and finds the kernel of o->flavour; on
 * failure c still needs base_list_free. */
int base_list_load(struct base_list *c, const struct base_opts *o, const struct lock *lock,
		   struct perr *err);
void base_list_free(struct base_list *c);

/* Where the file a list line names by its source-tree path rel is: a
 * build product (rel under build/) in o->products when that is set (an
 * install keeps build/initrd/init as PREFIX/lib/paddock/initrd/init),
 * anything else and every product of a source tree under o->root.  Sets
 * *dir and *sub (rel, or the part of it below build/) so that dir/sub is
 * the file. */
void base_source(const struct base_opts *o, const char *rel, const char **dir, const char **sub);

/* The unpacked tree of comp (a lock entry), unpacked on first use; the
 * string belongs to c. */
int base_list_tree(struct base_list *c, const struct component *comp, const char **ret, struct perr *err);

/* Unpacks the library components and applies every line, kernel modules
 * first, into c->layer (not sorted yet). */
int base_list_apply(struct base_list *c, struct perr *err);

/* Builds the images of lists (sysimages.h: `image TAG` and base.list's
 * directives) alone, with no base.list and no kernel, into one docker-save
 * tarball at path: for tools that make images from a lock of their own
 * (the Kubernetes test images, qemu-tests/k8s/).  Every component of lock
 * is a library tree for the ELF closures. */
int base_list_images(const struct base_opts *o, const struct lock *lock, const struct listfile *lists,
		     size_t n, const char *path, struct perr *err);

/* The kernel image of the flavour's package, its only /boot/vmlinuz-*
 * (a new string). */
int base_list_vmlinuz(struct base_list *c, char **ret, struct perr *err);

#endif
