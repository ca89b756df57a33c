#include "media/media.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "media/bootfiles.h"
#include "media/ipxe.h"
#include "media/iso.h"
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

int media_emit(const struct media_input *in, const char *outdir, struct strv *out, struct perr *err)
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
		strv_sort(out);
done:
	bootfiles_free(&bf);
	return r;
}
