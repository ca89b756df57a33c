#include "media/bootfiles.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"
#include "fsutil.h"
#include "media/runtool.h"

#define GRUB_DEFAULT_DIR "/usr/lib/grub/x86_64-efi"

struct wanted {
	const char *file;
	const char *package;
	const char *dirs[3];  /* Debian's places, tried in order */
};

static const struct wanted ISOLINUX_BIN = { "isolinux.bin", "isolinux", { "/usr/lib/ISOLINUX", NULL, NULL } };
static const struct wanted ISOHDPFX_BIN = { "isohdpfx.bin", "isolinux", { "/usr/lib/ISOLINUX", NULL, NULL } };
static const struct wanted LDLINUX_C32 = { "ldlinux.c32", "syslinux-common",
					   { "/usr/lib/syslinux/modules/bios", NULL, NULL } };
static const struct wanted MENU_C32 = { "menu.c32", "syslinux-common",
					{ "/usr/lib/syslinux/modules/bios", NULL, NULL } };
static const struct wanted LIBUTIL_C32 = { "libutil.c32", "syslinux-common",
					   { "/usr/lib/syslinux/modules/bios", NULL, NULL } };
static const struct wanted LIBCOM32_C32 = { "libcom32.c32", "syslinux-common",
					    { "/usr/lib/syslinux/modules/bios", NULL, NULL } };
static const struct wanted PXELINUX_0 = { "pxelinux.0", "pxelinux", { "/usr/lib/PXELINUX", NULL, NULL } };

/* Below an override directory a file may sit at the top or where the
 * syslinux source tree and Debian put it. */
static const char *const OVERRIDE_SUBDIRS[] = { "", "modules/bios", "bios", NULL };

static int find_file(const struct wanted *w, const char *override, char **ret, struct perr *err)
{
	if (override) {
		for (const char *const *sub = OVERRIDE_SUBDIRS; *sub; sub++) {
			char *d = **sub ? path_join(override, *sub) : strdup(override);
			char *p = d ? path_join(d, w->file) : NULL;
			free(d);
			if (!p)
				return perr_set(err, -ENOMEM, "out of memory");
			if (check_file_readable(p) == 0) {
				*ret = p;
				return 0;
			}
			free(p);
		}
		return perr_set(err, -ENOENT, "%s not found in --syslinux-dir %s (nor in its modules/bios/)",
				w->file, override);
	}
	for (int i = 0; i < 3 && w->dirs[i]; i++) {
		char *p = path_join(w->dirs[i], w->file);
		if (!p)
			return perr_set(err, -ENOMEM, "out of memory");
		if (check_file_readable(p) == 0) {
			*ret = p;
			return 0;
		}
		free(p);
	}
	return perr_set(err, -ENOENT, "%s not found in %s: install the Debian package %s "
			"(apt-get install %s) or give --syslinux-dir", w->file, w->dirs[0], w->package,
			w->package);
}

static int find_tool(const char *name, const char *package, char **ret, struct perr *err)
{
	*ret = find_program(name);
	if (!*ret)
		return perr_set(err, -ENOENT, "program %s not found in PATH: install the Debian package %s "
				"(apt-get install %s)", name, package, package);
	return 0;
}

static int find_grub(const char *override, char **ret, struct perr *err)
{
	const char *dir = override ? override : GRUB_DEFAULT_DIR;
	/* the module directory itself, or a tree holding x86_64-efi/ */
	const char *cands[] = { dir, NULL };
	char *sub = path_join(dir, "x86_64-efi");
	if (!sub)
		return perr_set(err, -ENOMEM, "out of memory");
	cands[1] = sub;
	for (int i = 0; i < 2; i++) {
		char *k = path_join(cands[i], "kernel.img"), *m = path_join(cands[i], "moddep.lst");
		int ok = k && m && check_file_readable(k) == 0 && check_file_readable(m) == 0;
		free(k);
		free(m);
		if (ok) {
			*ret = strdup(cands[i]);
			free(sub);
			return *ret ? 0 : perr_set(err, -ENOMEM, "out of memory");
		}
	}
	free(sub);
	if (override)
		return perr_set(err, -ENOENT, "--grub-dir %s: no GRUB x86_64-efi modules there "
				"(kernel.img and moddep.lst expected)", override);
	return perr_set(err, -ENOENT, "GRUB x86_64-efi modules not found in %s: install the Debian "
			"package grub-efi-amd64-bin (apt-get install grub-efi-amd64-bin) or give --grub-dir",
			GRUB_DEFAULT_DIR);
}

int bootfiles_find(unsigned formats, const char *syslinux_dir, const char *grub_dir,
		   struct bootfiles *b, struct perr *err)
{
	int r = 0;
	memset(b, 0, sizeof *b);
	if (formats & MEDIA_ISO) {
		if ((r = find_file(&ISOLINUX_BIN, syslinux_dir, &b->isolinux_bin, err)) < 0 ||
		    (r = find_file(&ISOHDPFX_BIN, syslinux_dir, &b->isohdpfx_bin, err)) < 0 ||
		    (r = find_grub(grub_dir, &b->grub_dir, err)) < 0 ||
		    (r = find_tool("grub-mkimage", "grub-common", &b->grub_mkimage, err)) < 0 ||
		    (r = find_tool("xorriso", "xorriso", &b->xorriso, err)) < 0 ||
		    (r = find_tool("mformat", "mtools", &b->mformat, err)) < 0 ||
		    (r = find_tool("mmd", "mtools", &b->mmd, err)) < 0 ||
		    (r = find_tool("mcopy", "mtools", &b->mcopy, err)) < 0)
			goto fail;
	}
	if (formats & MEDIA_PXE) {
		if ((r = find_file(&PXELINUX_0, syslinux_dir, &b->pxelinux_0, err)) < 0)
			goto fail;
	}
	if (formats & (MEDIA_ISO | MEDIA_PXE)) {
		if ((r = find_file(&LDLINUX_C32, syslinux_dir, &b->ldlinux_c32, err)) < 0 ||
		    (r = find_file(&MENU_C32, syslinux_dir, &b->menu_c32, err)) < 0 ||
		    (r = find_file(&LIBUTIL_C32, syslinux_dir, &b->libutil_c32, err)) < 0 ||
		    (r = find_file(&LIBCOM32_C32, syslinux_dir, &b->libcom32_c32, err)) < 0)
			goto fail;
	}
	return 0;
fail:
	bootfiles_free(b);
	return r;
}

void bootfiles_free(struct bootfiles *b)
{
	free(b->isolinux_bin);
	free(b->isohdpfx_bin);
	free(b->ldlinux_c32);
	free(b->menu_c32);
	free(b->libutil_c32);
	free(b->libcom32_c32);
	free(b->pxelinux_0);
	free(b->grub_dir);
	free(b->grub_mkimage);
	free(b->xorriso);
	free(b->mformat);
	free(b->mmd);
	free(b->mcopy);
	memset(b, 0, sizeof *b);
}
