#include "media/pxe.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


char *pxe_config_name(const char *mac)
{
	char *s = NULL;
	if (asprintf(&s, "01-%s", mac) < 0)
		return NULL;
	for (char *p = s; *p; p++)
		*p = *p == ':' ? '-' : (char)tolower((unsigned char)*p);
	return s;
}

static void put_serial(FILE *f, const struct media_input *in)
{
	unsigned speed = 115200;
	int port = media_serial_port(in, &speed);
	if (port >= 0)
		fprintf(f, "SERIAL %d %u\n", port, speed);
}

char *pxe_node_config(const struct media_input *in, size_t i)
{
	const struct media_node *n = &in->nodes[i];
	char *buf = NULL, *args = media_kernel_args(in, n), *kernel = media_kernel_file(in, i);
	size_t len;
	FILE *f = args && kernel ? open_memstream(&buf, &len) : NULL;
	if (!f) {
		free(args);
		free(kernel);
		return NULL;
	}
	fprintf(f, "# paddock: node %s, MAC %s\n", n->name, n->mac ? n->mac : "-");
	put_serial(f, in);
	fprintf(f, "DEFAULT %s\nPROMPT 0\nTIMEOUT 0\n\n", n->name);
	fprintf(f, "LABEL %s\n", n->name);
	fprintf(f, "  KERNEL %s\n", kernel);
	/* pxelinux loads both and hands the kernel one concatenated initramfs */
	fprintf(f, "  INITRD base.img,nodes/%s.img\n", n->name);
	fprintf(f, "  APPEND %s\n", args);
	/* BOOTIF=01-<mac>: init finds the boot NIC with it */
	fprintf(f, "  IPAPPEND 2\n");
	free(args);
	free(kernel);
	return media_text_finish(f, &buf);
}

char *pxe_default_config(const struct media_input *in)
{
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "# paddock: machines whose MAC has no pxelinux.cfg/01-<mac> land here.\n"
		   "# Nothing is booted: the menu has no timeout, so the machine waits instead of\n"
		   "# looping.  (SAY text would not reach the serial line: menu.c32 does.)\n");
	put_serial(f, in);
	fprintf(f, "UI menu.c32\n"
		   "MENU TITLE paddock: unknown MAC - not a node of the cluster file\n"
		   "PROMPT 0\nTIMEOUT 0\nDEFAULT local\n\n"
		   "LABEL local\n"
		   "  MENU LABEL Boot from the local disk\n"
		   "  LOCALBOOT 0\n"
		   "  TEXT HELP\n"
		   "  paddock: unknown MAC: no pxelinux.cfg/01-<mac> file for this machine.\n"
		   "  Add its MAC to the node in cluster.yml (paddock.mac) and rebuild.\n"
		   "  ENDTEXT\n");
	return media_text_finish(f, &buf);
}

int pxe_emit(const struct media_input *in, const struct bootfiles *bf, const char *outdir,
	     struct media_outputs *out, struct perr *err)
{
	char *tmp, *dst;
	int r = media_tree_begin(outdir, "tftp", &tmp, &dst, err);
	if (r < 0)
		return perr_wrap(err, "pxe");
	if ((r = media_put_copy(bf->pxelinux_0, tmp, "pxelinux.0", 0644, "tftp", out, err)) < 0 ||
	    (r = media_put_copy(bf->ldlinux_c32, tmp, "ldlinux.c32", 0644, "tftp", out, err)) < 0 ||
	    (r = media_put_copy(bf->menu_c32, tmp, "menu.c32", 0644, "tftp", out, err)) < 0 ||
	    (r = media_put_copy(bf->libutil_c32, tmp, "libutil.c32", 0644, "tftp", out, err)) < 0 ||
	    (r = media_put_copy(bf->libcom32_c32, tmp, "libcom32.c32", 0644, "tftp", out, err)) < 0 ||
	    (r = media_put_images(in, tmp, "tftp", out, err)) < 0)
		goto done;
	char *text = pxe_default_config(in);
	r = text ? media_put_text(tmp, "pxelinux.cfg/default", text, "tftp", out, err)
		 : perr_set(err, -ENOMEM, "out of memory");
	free(text);
	if (r < 0)
		goto done;
	for (size_t i = 0; i < in->n_nodes; i++) {
		const struct media_node *n = &in->nodes[i];
		if (!n->mac)
			continue;
		char *name = pxe_config_name(n->mac), *rel = NULL;
		text = pxe_node_config(in, i);
		if (!name || !text || asprintf(&rel, "pxelinux.cfg/%s", name) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		else
			r = media_put_text(tmp, rel, text, "tftp", out, err);
		free(name);
		free(text);
		free(rel);
		if (r < 0)
			goto done;
	}
done:
	r = media_tree_end(r, tmp, dst, err);
	return r < 0 ? perr_wrap(err, "pxe") : 0;
}
