#include "media/media.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "media/bootfiles.h"
#include "media/ipxe.h"
#include "media/iso.h"
#include "fsutil.h"
#include "media/pxe.h"

int media_parse_formats(const char *list, unsigned *ret_formats, struct perr *err)
{
	unsigned f = 0;
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		return perr_set(err, -ENOMEM, "out of memory");
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (!strcmp(w, "iso"))
			f |= MEDIA_ISO;
		else if (!strcmp(w, "pxe"))
			f |= MEDIA_PXE;
		else if (!strcmp(w, "ipxe"))
			f |= MEDIA_IPXE;
		else if (!strcmp(w, "all"))
			f |= MEDIA_ALL;
		else if (strcmp(w, "kernel") && strcmp(w, "initrd")) {
			int r = perr_set(err, -EINVAL, "unknown format '%s' (expected kernel, initrd, iso, pxe, ipxe or all)", w);
			free(copy);
			return r;
		}
	}
	free(copy);
	*ret_formats = f;
	return 0;
}

int media_serial_port(const struct media_input *in, unsigned *ret_speed)
{
	const char *c = in->console ? in->console : "ttyS0";
	if (strncmp(c, "ttyS", 4) || !isdigit((unsigned char)c[4]))
		return -1;
	char *end;
	long port = strtol(c + 4, &end, 10);
	unsigned long speed = 115200;
	if (*end == ',') {
		speed = strtoul(end + 1, &end, 10);
		/* "ttyS0,115200n8": parity and bits are not the loaders' business */
		if (speed == 0 || speed > 4000000)
			return -1;
	}
	if (port > 3)
		return -1;
	if (ret_speed)
		*ret_speed = (unsigned)speed;
	return (int)port;
}

char *media_kernel_args(const struct media_input *in, const struct media_node *n)
{
	const char *cmd = n->cmdline ? n->cmdline : "";
	char *s = NULL;
	int r;
	if (!strncmp(cmd, "console=", 8) || strstr(cmd, " console="))
		r = asprintf(&s, "%s", cmd);
	else {
		const char *c = in->console ? in->console : "ttyS0";
		unsigned speed = 115200;
		int port = media_serial_port(in, &speed);
		/* the last console= gets /dev/console: the serial line the tests and racks read */
		if (port >= 0 && !strchr(c, ','))
			r = asprintf(&s, "console=tty0 console=%s,%u%s%s", c, speed, *cmd ? " " : "", cmd);
		else
			r = asprintf(&s, "console=tty0 console=%s%s%s", c, *cmd ? " " : "", cmd);
	}
	return r < 0 ? NULL : s;
}

char *media_kernel_file(const struct media_input *in, size_t i)
{
	char *s = NULL;
	if (!strcmp(in->nodes[i].kernel, in->nodes[0].kernel))
		return strdup("vmlinuz");
	if (asprintf(&s, "nodes/%s.vmlinuz", in->nodes[i].name) < 0)
		return NULL;
	return s;
}

int media_outputs_add(struct media_outputs *o, const char *path)
{
	if (!o)
		return 0;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		char **v = realloc(o->paths, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		o->paths = v;
		o->cap = cap;
	}
	if (!(o->paths[o->n] = strdup(path)))
		return -ENOMEM;
	o->n++;
	return 0;
}

void media_outputs_free(struct media_outputs *o)
{
	for (size_t i = 0; o && i < o->n; i++)
		free(o->paths[i]);
	if (o)
		free(o->paths);
	if (o)
		memset(o, 0, sizeof *o);
}

static int add_out(struct media_outputs *out, const char *prefix, const char *rel, struct perr *err)
{
	char *p = path_join(prefix, rel);
	int r = p ? media_outputs_add(out, p) : -ENOMEM;
	free(p);
	return r < 0 ? perr_set(err, r, "out of memory") : 0;
}

/* dir/rel in *ret_dst, its parent directories made (0700).  On failure
 * *ret_dst is freed and NULL. */
static int make_parents(const char *dir, const char *rel, char **ret_dst, struct perr *err)
{
	char *dst = path_join(dir, rel);
	*ret_dst = dst;
	if (!dst)
		return perr_set(err, -ENOMEM, "out of memory");
	char *slash = strrchr(dst, '/');
	int r = 0;
	*slash = 0;
	r = mkdir_p(dst, 0700, err);
	*slash = '/';
	if (r < 0) {
		free(dst);
		*ret_dst = NULL;
	}
	return r;
}

static int put_file(const char *src, const char *dir, const char *rel, mode_t mode, bool link,
		    const char *prefix, struct media_outputs *out, struct perr *err)
{
	char *dst;
	int r = make_parents(dir, rel, &dst, err);
	if (r < 0)
		return r;
	r = link ? link_or_copy(src, dst, mode, err) : copy_file(src, dst, mode, err);
	free(dst);
	return r < 0 ? r : add_out(out, prefix, rel, err);
}

int media_put_copy(const char *src, const char *dir, const char *rel, mode_t mode,
		   const char *prefix, struct media_outputs *out, struct perr *err)
{
	return put_file(src, dir, rel, mode, false, prefix, out, err);
}

int media_put_text(const char *dir, const char *rel, const char *text, const char *prefix,
		   struct media_outputs *out, struct perr *err)
{
	char *dst;
	int r = make_parents(dir, rel, &dst, err);
	if (r < 0)
		return r;
	r = write_file(dst, text, strlen(text), 0644, err);
	free(dst);
	return r < 0 ? r : add_out(out, prefix, rel, err);
}

int media_put_images(const struct media_input *in, const char *dir, const char *prefix,
		     struct media_outputs *out, struct perr *err)
{
	int r;
	/* kernel, base and layers are build outputs already: link them */
	if ((r = put_file(in->base, dir, "base.img", 0644, true, prefix, out, err)) < 0)
		return r;
	for (size_t i = 0; i < in->n_nodes; i++) {
		const struct media_node *n = &in->nodes[i];
		char *k = media_kernel_file(in, i), *layer = NULL;
		if (!k || asprintf(&layer, "nodes/%s.img", n->name) < 0) {
			free(k);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		/* node 0's kernel is shared: copy it once */
		if (i == 0 || strcmp(k, "vmlinuz"))
			r = put_file(n->kernel, dir, k, 0644, true, prefix, out, err);
		/* the layer holds the node's private keys */
		if (r == 0)
			r = put_file(n->node_layer, dir, layer, 0600, true, prefix, out, err);
		free(k);
		free(layer);
		if (r < 0)
			return perr_wrap(err, "node %s", n->name);
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool valid_mac(const char *m)
{
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2 ? m[i] != ':' : !isxdigit((unsigned char)m[i]))
			return false;
	}
	return m[17] == 0;
}

static int check_input(const struct media_input *in, struct perr *err)
{
	if (in->n_nodes == 0)
		return perr_set(err, -EINVAL, "no nodes");
	if ((in->formats & (MEDIA_PXE | MEDIA_IPXE)) && !in->base)
		return perr_set(err, -EINVAL, "no base initramfs given");
	for (size_t i = 0; i < in->n_nodes; i++) {
		const struct media_node *n = &in->nodes[i];
		if (!n->name || !*n->name || strspn(n->name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(n->name) ||
		    n->name[0] == '.')
			return perr_set(err, -EINVAL, "node %zu: name '%s' is not a lower-case host name",
					i, n->name ? n->name : "");
		if (n->mac && !valid_mac(n->mac))
			return perr_set(err, -EINVAL, "node %s: MAC '%s' is not aa:bb:cc:dd:ee:ff", n->name, n->mac);
		for (const char *c = n->cmdline ? n->cmdline : ""; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return perr_set(err, -EINVAL, "node %s: kernel command line has a control character",
						n->name);
		if ((in->formats & MEDIA_IPXE) && n->cmdline && strstr(n->cmdline, "${"))
			return perr_set(err, -EINVAL, "node %s: kernel command line holds '${', which iPXE would expand",
					n->name);
		if (!n->kernel || ((in->formats & MEDIA_ISO) && !n->initrd) ||
		    ((in->formats & (MEDIA_PXE | MEDIA_IPXE)) && !n->node_layer))
			return perr_set(err, -EINVAL, "node %s: kernel or initramfs not given", n->name);
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(in->nodes[j].name, n->name))
				return perr_set(err, -EINVAL, "node name %s given twice", n->name);
			if (n->mac && in->nodes[j].mac && !strcasecmp(in->nodes[j].mac, n->mac))
				return perr_set(err, -EINVAL, "nodes %s and %s have the same MAC %s",
						in->nodes[j].name, n->name, n->mac);
		}
	}
	const char *c = in->console ? in->console : "ttyS0";
	if (!*c || strpbrk(c, " \t\n"))
		return perr_set(err, -EINVAL, "console '%s' is not a device name", c);
	if (in->http_base && (strpbrk(in->http_base, " \t\n\r") || strstr(in->http_base, "${")))
		return perr_set(err, -EINVAL, "--http-base '%s' is not a plain URL", in->http_base);
	if (in->menu_timeout < 0 || in->menu_timeout > 3600)
		return perr_set(err, -EINVAL, "menu timeout %d is not in 0..3600 seconds", in->menu_timeout);
	return 0;
}

int media_emit(const struct media_input *in, const char *outdir, struct media_outputs *out,
	       struct perr *err)
{
	struct bootfiles bf;
	int r = check_input(in, err);
	if (r < 0)
		return r;
	if ((r = bootfiles_find(in->formats, in->syslinux_dir, in->grub_dir, &bf, err)) < 0)
		return r;
	if ((r = mkdir_p(outdir, 0700, err)) < 0)
		goto done;
	if ((in->formats & MEDIA_PXE) && (r = pxe_emit(in, &bf, outdir, out, err)) < 0)
		goto done;
	if ((in->formats & MEDIA_IPXE) && (r = ipxe_emit(in, outdir, out, err)) < 0)
		goto done;
	if (in->formats & MEDIA_ISO) {
		for (size_t i = 0; i < in->n_nodes; i++)
			if ((r = iso_emit(in, i, &bf, outdir, out, err)) < 0)
				goto done;
	}
	if (out)
		qsort(out->paths, out->n, sizeof *out->paths, cmp_str);
done:
	bootfiles_free(&bf);
	return r;
}

char *media_text_finish(FILE *f, char **bufp)
{
	if (fclose(f) != 0) {
		free(*bufp);
		return NULL;
	}
	return *bufp;
}

int media_tree_begin(const char *outdir, const char *name, char **ret_tmp, char **ret_dst,
		     struct perr *err)
{
	char *dst = path_join(outdir, name), *tmp = NULL;
	int r = 0;
	if (!dst || asprintf(&tmp, "%s.tmp", dst) < 0) {
		tmp = NULL;
		r = perr_set(err, -ENOMEM, "out of memory");
	} else if ((r = rm_rf(tmp, err)) == 0) {
		r = mkdir_p(tmp, 0700, err);
	}
	if (r < 0) {
		media_tree_end(r, tmp, dst, err);
		return r;
	}
	*ret_tmp = tmp;
	*ret_dst = dst;
	return 0;
}

int media_tree_end(int r, char *tmp, char *dst, struct perr *err)
{
	if (r == 0)
		r = replace_dir(tmp, dst, err);
	if (r < 0 && tmp)
		rm_rf_quiet(tmp);
	free(tmp);
	free(dst);
	return r;
}
