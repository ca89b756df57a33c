#include "media/pxe.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/loader_config.h"
#include "media/media_files.h"

char *pxe_config_name(const char *mac)
{
	char *s = NULL;
	if (asprintf(&s, "01-%s", mac) < 0)
		return NULL;
	for (char *p = s; *p; p++)
		*p = *p == ':' ? '-' : (char)tolower((unsigned char)*p);
	return s;
}

char *pxe_node_config(const struct media_input *in, size_t i)
{
	struct media_text t;
	if (media_text_begin(&t, in, i) < 0)
		return NULL;
	const struct media_node *n = t.node;
	fprintf(t.f, "# paddock: node %s, MAC %s\n", n->name, n->mac ? n->mac : "-");
	media_text_syslinux_serial(&t);
	fprintf(t.f, "DEFAULT %s\nPROMPT 0\nTIMEOUT 0\n\n", n->name);
	fprintf(t.f, "LABEL %s\n", n->name);
	fprintf(t.f, "  KERNEL %s\n", t.kernel);
	/* pxelinux loads both and hands the kernel one concatenated initramfs */
	fprintf(t.f, "  INITRD base.img,nodes/%s.img\n", n->name);
	fprintf(t.f, "  APPEND %s\n", t.args);
	/* BOOTIF=01-<mac>: init finds the boot NIC with it */
	fprintf(t.f, "  IPAPPEND 2\n");
	return media_text_end(&t);
}

char *pxe_default_config(const struct media_input *in)
{
	struct media_text t;
	if (media_text_begin(&t, in, MEDIA_NO_NODE) < 0)
		return NULL;
	fprintf(t.f, "# paddock: machines whose MAC has no pxelinux.cfg/01-<mac> land here.\n"
		     "# Nothing is booted: the menu has no timeout, so the machine waits instead of\n"
		     "# looping.  (SAY text would not reach the serial line: menu.c32 does.)\n");
	media_text_syslinux_serial(&t);
	fprintf(t.f, "UI menu.c32\n"
		     "MENU TITLE paddock: unknown MAC - not a node of the cluster file\n"
		     "PROMPT 0\nTIMEOUT 0\nDEFAULT local\n\n"
		     "LABEL local\n"
		     "  MENU LABEL Boot from the local disk\n"
		     "  LOCALBOOT 0\n"
		     "  TEXT HELP\n"
		     "  paddock: unknown MAC: no pxelinux.cfg/01-<mac> file for this machine.\n"
		     "  Add its MAC to the node in cluster.yml (paddock.mac) and rebuild.\n"
		     "  ENDTEXT\n");
	return media_text_end(&t);
}

/* "pxelinux.cfg/01-<mac>" */
static char *config_rel(const char *mac)
{
	char *name = pxe_config_name(mac), *rel = NULL;
	if (name && asprintf(&rel, "pxelinux.cfg/%s", name) < 0)
		rel = NULL;
	free(name);
	return rel;
}

int pxe_emit(const struct media_input *in, const struct bootfiles *bf, const char *outdir,
	     struct strv *out, struct perr *err)
{
	const char *const loaders[][2] = {
		{ bf->pxelinux_0, "pxelinux.0" },   { bf->ldlinux_c32, "ldlinux.c32" },
		{ bf->menu_c32, "menu.c32" },       { bf->libutil_c32, "libutil.c32" },
		{ bf->libcom32_c32, "libcom32.c32" },
	};
	const struct media_net_tree tree = {
		.name = "tftp", .loaders = loaders, .n_loaders = sizeof loaders / sizeof *loaders,
		.default_rel = "pxelinux.cfg/default", .default_text = pxe_default_config,
		.node_rel = config_rel, .node_text = pxe_node_config,
	};
	return media_net_tree_emit(in, &tree, outdir, out, err) < 0 ? perr_wrap(err, "pxe") : 0;
}
