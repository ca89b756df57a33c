#include "media/ipxe.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media/loader_config.h"
#include "media/media_files.h"

char *ipxe_script_name(const char *mac)
{
	char *s = NULL;
	if (asprintf(&s, "%s.ipxe", mac) < 0)
		return NULL;
	for (char *p = s; *p != '.'; p++)
		*p = *p == ':' ? '-' : (char)tolower((unsigned char)*p);
	return s;
}

/* The URL prefix: "" (relative to the script's own URL) or base ending in '/'. */
static const char *sep(const struct media_input *in)
{
	size_t l = in->http_base ? strlen(in->http_base) : 0;
	return l && in->http_base[l - 1] != '/' ? "/" : "";
}

static const char *base(const struct media_input *in)
{
	return in->http_base ? in->http_base : "";
}

char *ipxe_boot_script(const struct media_input *in)
{
	struct media_text t;
	if (media_text_begin(&t, in, MEDIA_NO_NODE) < 0)
		return NULL;
	fprintf(t.f, "#!ipxe\n"
		     "# paddock: every node has a script named after its MAC.\n"
		     ":start\n"
		     "chain %s%s${net0/mac:hexhyp}.ipxe || goto unknown\n"
		     ":unknown\n"
		     "echo paddock: unknown MAC ${net0/mac}: no %s%s${net0/mac:hexhyp}.ipxe\n"
		     "echo paddock: this machine is not a node of the cluster file; not booting.\n"
		     "echo paddock: add the MAC to the node in cluster.yml (paddock.mac) and rebuild.\n"
		     /* wait instead of exiting: an exit falls back to the next boot device and loops */
		     "prompt paddock: press any key to try again\n"
		     "goto start\n",
		base(in), sep(in), base(in), sep(in));
	return media_text_end(&t);
}

char *ipxe_node_script(const struct media_input *in, size_t i)
{
	struct media_text t;
	if (media_text_begin(&t, in, i) < 0)
		return NULL;
	const struct media_node *n = t.node;
	const char *b = base(in), *s = sep(in);
	fprintf(t.f, "#!ipxe\n# paddock: node %s, MAC %s\n", n->name, n->mac ? n->mac : "-");
	fprintf(t.f, ":start\necho paddock: iPXE booting node %s\n", n->name);
	/* initrd= names let the EFI stub find the initrds; BIOS ignores them */
	fprintf(t.f, "kernel --name vmlinuz %s%s%s initrd=base.img initrd=node.img %s BOOTIF=01-${net0/mac:hexhyp} || goto failed\n",
		b, s, t.kernel, t.args);
	fprintf(t.f, "initrd --name base.img %s%sbase.img || goto failed\n", b, s);
	fprintf(t.f, "initrd --name node.img %s%snodes/%s.img || goto failed\n", b, s, n->name);
	fprintf(t.f, "boot || goto failed\n");
	fprintf(t.f, ":failed\n"
		     "echo paddock: could not boot node %s\n"
		     "prompt paddock: press any key to try again\n"
		     "imgfree\n"
		     "goto start\n",
		n->name);
	return media_text_end(&t);
}

int ipxe_emit(const struct media_input *in, const char *outdir, struct strv *out, struct perr *err)
{
	const struct media_net_tree tree = {
		.name = "ipxe", .default_rel = "boot.ipxe", .default_text = ipxe_boot_script,
		.node_rel = ipxe_script_name, .node_text = ipxe_node_script,
	};
	return media_net_tree_emit(in, &tree, outdir, out, err) < 0 ? perr_wrap(err, "ipxe") : 0;
}
