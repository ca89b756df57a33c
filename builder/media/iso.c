#include "media/iso.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fsutil.h"
#include "media/loader_config.h"
#include "media/media_files.h"
#include "media/runtool.h"

/* Modules built into BOOTX64.EFI; the ISO carries no module directory. */
static const char *const GRUB_MODULES[] = {
	"iso9660", "fat", "part_gpt", "part_msdos", "search", "search_fs_file", "search_label",
	"linux", "normal", "configfile", "echo", "serial", "terminal", "efi_gop", "efi_uga",
	"boot", "test", "ls", "cat", "halt", "reboot", NULL,
};

char *iso_isolinux_config(const struct media_input *in, size_t i)
{
	struct media_text t;
	if (media_text_begin(&t, in, i) < 0)
		return NULL;
	const struct media_node *n = t.node;
	fprintf(t.f, "# paddock: node %s (BIOS)\n", n->name);
	media_text_syslinux_serial(&t);
	if (in->menu_timeout > 0) {
		fprintf(t.f, "UI menu.c32\nMENU TITLE paddock: node %s\n", n->name);
		fprintf(t.f, "TIMEOUT %d\n", in->menu_timeout * 10);
	} else {
		fprintf(t.f, "PROMPT 0\nTIMEOUT 0\n");
	}
	fprintf(t.f, "DEFAULT %s\n\n", n->name);
	fprintf(t.f, "LABEL %s\n", n->name);
	fprintf(t.f, "  MENU LABEL paddock node %s\n", n->name);
	fprintf(t.f, "  KERNEL /boot/vmlinuz\n  INITRD /boot/initrd.img\n  APPEND %s\n", t.args);
	return media_text_end(&t);
}

/* Writes word as one GRUB word: single quotes, with ' as '\''. */
static void grub_quote(FILE *f, const char *w, size_t len)
{
	fputc('\'', f);
	for (size_t k = 0; k < len; k++) {
		if (w[k] == '\'')
			fputs("'\\''", f);
		else
			fputc(w[k], f);
	}
	fputc('\'', f);
}

char *iso_grub_config(const struct media_input *in, size_t i)
{
	struct media_text t;
	if (media_text_begin(&t, in, i) < 0)
		return NULL;
	const struct media_node *n = t.node;
	fprintf(t.f, "# paddock: node %s (UEFI)\n", n->name);
	if (t.port >= 0) {
		fprintf(t.f, "serial --unit=%d --speed=%u\n", t.port, t.speed);
		fprintf(t.f, "terminal_input console serial\nterminal_output console serial\n");
	}
	fprintf(t.f, "set default=0\nset timeout=%d\n\n", in->menu_timeout);
	fprintf(t.f, "menuentry 'paddock node %s' {\n", n->name);
	fprintf(t.f, "\techo 'paddock: loading node %s'\n", n->name);
	fprintf(t.f, "\tlinux /boot/vmlinuz");
	for (const char *p = t.args; *p;) {
		size_t sp = strspn(p, " ");
		p += sp;
		size_t w = strcspn(p, " ");
		if (w) {
			fputc(' ', t.f);
			grub_quote(t.f, p, w);
		}
		p += w;
	}
	fprintf(t.f, "\n\tinitrd /boot/initrd.img\n}\n");
	return media_text_end(&t);
}

char *iso_grub_early_config(const char *id_file)
{
	char *s = NULL;
	if (asprintf(&s,
		     "search --no-floppy --set=root --file %s\n"
		     "set prefix=($root)/boot/grub\n"
		     "configfile ($root)/boot/grub/grub.cfg\n"
		     "echo 'paddock: boot medium not found (no %s)'\n",
		     id_file, id_file) < 0)
		return NULL;
	return s;
}

char *iso_volume_id(const char *node)
{
	char *s = NULL;
	if (asprintf(&s, "PADDOCK_%s", node) < 0)
		return NULL;
	for (char *p = s; *p; p++)
		*p = isalnum((unsigned char)*p) ? (char)toupper((unsigned char)*p) : '_';
	if (strlen(s) > 32)
		s[32] = 0;
	return s;
}

static int hash_file(EVP_MD_CTX *md, const char *path, struct perr *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;
	if (fd < 0)
		return perr_set(err, -errno, "%s: cannot open: %s", path, strerror(errno));
	char *buf = malloc(1 << 20);
	if (!buf) {
		close(fd);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	ssize_t n;
	while (r == 0 && (n = fd_read(fd, buf, 1 << 20)) != 0) {
		if (n < 0)
			r = perr_set(err, (int)n, "%s: read: %s", path, strerror((int)-n));
		else if (EVP_DigestUpdate(md, buf, (size_t)n) != 1)
			r = perr_set(err, -EIO, "sha256 failed");
	}
	free(buf);
	close(fd);
	return r;
}

/* 32 hex digits naming this node's medium: the same inputs give the same
 * name, another build another one, so GRUB does not pick a stale stick. */
static int medium_id(const struct media_input *in, size_t i, char **ret, struct perr *err)
{
	const struct media_node *n = &in->nodes[i];
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned dl = 0;
	char *args = media_kernel_args(in, n);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int r = 0;
	if (!args || !md) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto done;
	}
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(md, n->name, strlen(n->name) + 1) != 1 ||
	    EVP_DigestUpdate(md, args, strlen(args) + 1) != 1) {
		r = perr_set(err, -EIO, "sha256 failed");
		goto done;
	}
	if ((r = hash_file(md, n->kernel, err)) < 0 || (r = hash_file(md, n->initrd, err)) < 0)
		goto done;
	if (EVP_DigestFinal_ex(md, d, &dl) != 1 || dl < 16) {
		r = perr_set(err, -EIO, "sha256 failed");
		goto done;
	}
	char *hex = malloc(33);
	if (!hex) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto done;
	}
	for (int k = 0; k < 16; k++)
		snprintf(hex + 2 * k, 3, "%02x", d[k]);
	*ret = hex;
done:
	EVP_MD_CTX_free(md);
	free(args);
	return r;
}

/* The ISO's files go into a stage directory, not into the outputs. */
static int put_text(const char *dir, const char *rel, char *text, struct perr *err)
{
	return media_put_text(dir, rel, text, "", NULL, err);
}

static int put_copy(const char *src, const char *dir, const char *rel, struct perr *err)
{
	return media_put_copy(src, dir, rel, 0600, "", NULL, err);
}

/* BOOTX64.EFI from GRUB with the early config built in. */
static int make_grub_efi(const struct bootfiles *bf, const char *work, const char *id_file,
			 long long sde, char **ret_efi, struct perr *err)
{
	char *cfg = path_join(work, "grub-early.cfg"), *efi = path_join(work, "BOOTX64.EFI");
	char *text = iso_grub_early_config(id_file);
	int r = 0;
	if (!cfg || !efi || !text) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto done;
	}
	if ((r = write_file(cfg, text, strlen(text), 0644, err)) < 0)
		goto done;
	size_t nmod = 0;
	while (GRUB_MODULES[nmod])
		nmod++;
	char **argv = calloc(nmod + 12, sizeof *argv);
	if (!argv) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto done;
	}
	size_t a = 0;
	argv[a++] = bf->grub_mkimage;
	argv[a++] = "-d";
	argv[a++] = bf->grub_dir;
	argv[a++] = "-O";
	argv[a++] = "x86_64-efi";
	argv[a++] = "-p";
	argv[a++] = "/boot/grub";
	argv[a++] = "-c";
	argv[a++] = cfg;
	argv[a++] = "-o";
	argv[a++] = efi;
	for (size_t k = 0; k < nmod; k++)
		argv[a++] = (char *)GRUB_MODULES[k];
	argv[a] = NULL;
	r = run_tool(argv, sde, err);
	free(argv);
	if (r == 0) {
		*ret_efi = efi;
		efi = NULL;
	}
done:
	free(cfg);
	free(efi);
	free(text);
	return r;
}

/* A FAT image holding EFI/BOOT/BOOTX64.EFI, made with mtools (no root,
 * no loop device), with a fixed serial and dates. */
static int make_efiboot(const struct bootfiles *bf, const char *efi, const char *img,
			const char *id, long long sde, struct perr *err)
{
	struct stat st;
	if (stat(efi, &st) < 0)
		return perr_set(err, -errno, "%s: %s", efi, strerror(errno));
	/* whole MiB (64 heads x 32 sectors), with 1 MiB to spare for FAT and directories */
	long long mib = (st.st_size + (1 << 20) - 1) / (1 << 20) + 1;
	char sectors[32], serial[16], spec[64];
	snprintf(sectors, sizeof sectors, "%lld", mib * 2048);
	snprintf(serial, sizeof serial, "%.8s", id);
	unlink(img);
	char *mformat[] = { bf->mformat, "-i", (char *)img, "-C", "-T", sectors, "-h", "64", "-s", "32",
			    "-N", serial, "-v", "EFIBOOT", "::", NULL };
	char *mmd[] = { bf->mmd, "-i", (char *)img, "::/EFI", "::/EFI/BOOT", NULL };
	snprintf(spec, sizeof spec, "::/EFI/BOOT/BOOTX64.EFI");
	char *mcopy[] = { bf->mcopy, "-i", (char *)img, "-m", (char *)efi, spec, NULL };
	int r;
	if ((r = set_tree_times(efi, sde, err)) < 0 || (r = run_tool(mformat, sde, err)) < 0 ||
	    (r = run_tool(mmd, sde, err)) < 0 || (r = run_tool(mcopy, sde, err)) < 0)
		return r;
	return 0;
}

int iso_emit(const struct media_input *in, size_t i, const struct bootfiles *bf,
	     const char *outdir, struct strv *out, struct perr *err)
{
	const struct media_node *n = &in->nodes[i];
	char *dir = path_join(outdir, n->name);
	char *stage = NULL, *work = NULL, *iso = NULL, *iso_tmp = NULL, *id = NULL, *id_file = NULL;
	char *efi = NULL, *efiboot = NULL, *volid = NULL, *rel = NULL;
	int r = 0;
	if (!dir || asprintf(&stage, "%s/.iso-stage", dir) < 0 || asprintf(&work, "%s/.iso-work", dir) < 0 ||
	    asprintf(&iso, "%s/%s.iso", dir, n->name) < 0 || asprintf(&iso_tmp, "%s.tmp", iso) < 0 ||
	    asprintf(&rel, "%s/%s.iso", n->name, n->name) < 0 || !(volid = iso_volume_id(n->name))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto done;
	}
	if ((r = mkdir_p(dir, 0700, err)) < 0 || (r = rm_rf(stage, err)) < 0 ||
	    (r = rm_rf(work, err)) < 0 || (r = mkdir_p(stage, 0700, err)) < 0 ||
	    (r = mkdir_p(work, 0700, err)) < 0)
		goto done;
	if ((r = medium_id(in, i, &id, err)) < 0)
		goto done;
	if (asprintf(&id_file, "/.disk/paddock/%s", id) < 0 || !(efiboot = path_join(stage, "boot/grub/efiboot.img"))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto done;
	}
	if ((r = put_copy(bf->isolinux_bin, stage, "isolinux/isolinux.bin", err)) < 0 ||
	    (r = put_copy(bf->ldlinux_c32, stage, "isolinux/ldlinux.c32", err)) < 0 ||
	    (r = put_copy(bf->menu_c32, stage, "isolinux/menu.c32", err)) < 0 ||
	    (r = put_copy(bf->libutil_c32, stage, "isolinux/libutil.c32", err)) < 0 ||
	    (r = put_copy(bf->libcom32_c32, stage, "isolinux/libcom32.c32", err)) < 0 ||
	    (r = put_text(stage, "isolinux/isolinux.cfg", iso_isolinux_config(in, i), err)) < 0 ||
	    (r = put_text(stage, "boot/grub/grub.cfg", iso_grub_config(in, i), err)) < 0 ||
	    (r = put_text(stage, id_file + 1, strdup(n->name), err)) < 0 ||
	    (r = put_copy(n->kernel, stage, "boot/vmlinuz", err)) < 0 ||
	    (r = put_copy(n->initrd, stage, "boot/initrd.img", err)) < 0)
		goto done;
	if ((r = make_grub_efi(bf, work, id_file, in->source_date_epoch, &efi, err)) < 0 ||
	    (r = make_efiboot(bf, efi, efiboot, id, in->source_date_epoch, err)) < 0)
		goto done;
	if ((r = set_tree_times(stage, in->source_date_epoch, err)) < 0)
		goto done;
	char *xorriso[] = {
		bf->xorriso, "-as", "mkisofs", "-quiet", "-o", iso_tmp, "-V", volid, "-r", "-J", "-joliet-long",
		"-isohybrid-mbr", bf->isohdpfx_bin,
		"-c", "isolinux/boot.cat", "-b", "isolinux/isolinux.bin",
		"-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
		"-eltorito-alt-boot", "-e", "boot/grub/efiboot.img", "-no-emul-boot", "-isohybrid-gpt-basdat",
		stage, NULL,
	};
	unlink(iso_tmp);
	if ((r = run_tool(xorriso, in->source_date_epoch, err)) < 0)
		goto done;
	/* the image holds the node's private keys */
	if (chmod(iso_tmp, 0600) < 0 || rename(iso_tmp, iso) < 0) {
		r = perr_set(err, -errno, "%s: %s", iso, strerror(errno));
		goto done;
	}
	if (out) {
		strv_add(out, rel);
		if (out->oom)
			r = perr_set(err, -ENOMEM, "out of memory");
	}
done:
	if (iso_tmp)
		unlink(iso_tmp);
	if (stage)
		rm_rf_quiet(stage);
	if (work)
		rm_rf_quiet(work);
	free(dir);
	free(stage);
	free(work);
	free(iso);
	free(iso_tmp);
	free(id);
	free(id_file);
	free(efi);
	free(efiboot);
	free(volid);
	free(rel);
	return r < 0 ? perr_wrap(err, "node %s: iso", n->name) : 0;
}
