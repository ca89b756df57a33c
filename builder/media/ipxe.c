#include "media/ipxe.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "#!ipxe\n"
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
	return media_text_finish(f, &buf);
}

char *ipxe_node_script(const struct media_input *in, size_t i)
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
	const char *b = base(in), *s = sep(in);
	fprintf(f, "#!ipxe\n# paddock: node %s, MAC %s\n", n->name, n->mac ? n->mac : "-");
	fprintf(f, ":start\necho paddock: iPXE booting node %s\n", n->name);
	/* initrd= names let the EFI stub find the initrds; BIOS ignores them */
	fprintf(f, "kernel --name vmlinuz %s%s%s initrd=base.img initrd=node.img %s BOOTIF=01-${net0/mac:hexhyp} || goto failed\n",
		b, s, kernel, args);
	fprintf(f, "initrd --name base.img %s%sbase.img || goto failed\n", b, s);
	fprintf(f, "initrd --name node.img %s%snodes/%s.img || goto failed\n", b, s, n->name);
	fprintf(f, "boot || goto failed\n");
	fprintf(f, ":failed\n"
		   "echo paddock: could not boot node %s\n"
		   "prompt paddock: press any key to try again\n"
		   "imgfree\n"
		   "goto start\n",
		n->name);
	free(args);
	free(kernel);
	return media_text_finish(f, &buf);
}

int ipxe_emit(const struct media_input *in, const char *outdir, struct media_outputs *out,
	      struct perr *err)
{
	char *tmp, *dst;
	int r = media_tree_begin(outdir, "ipxe", &tmp, &dst, err);
	if (r < 0)
		return perr_wrap(err, "ipxe");
	if ((r = media_put_images(in, tmp, "ipxe", out, err)) < 0)
		goto done;
	char *text = ipxe_boot_script(in);
	r = text ? media_put_text(tmp, "boot.ipxe", text, "ipxe", out, err)
		 : perr_set(err, -ENOMEM, "out of memory");
	free(text);
	if (r < 0)
		goto done;
	for (size_t i = 0; i < in->n_nodes; i++) {
		const struct media_node *n = &in->nodes[i];
		if (!n->mac)
			continue;
		char *name = ipxe_script_name(n->mac);
		text = ipxe_node_script(in, i);
		r = name && text ? media_put_text(tmp, name, text, "ipxe", out, err)
				 : perr_set(err, -ENOMEM, "out of memory");
		free(name);
		free(text);
		if (r < 0)
			goto done;
	}
done:
	r = media_tree_end(r, tmp, dst, err);
	return r < 0 ? perr_wrap(err, "ipxe") : 0;
}
