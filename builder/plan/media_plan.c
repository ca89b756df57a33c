#include "plan/media_plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int media_plan_formats(const struct plan *p, const struct media_build_opts *o, unsigned *ret_formats,
		       struct perr *err)
{
	if (o && o->formats)
		return media_parse_formats(o->formats, ret_formats, err);
	const struct plan_build_opts *b = plan_build_options(p);
	if (!b || !b->formats || !b->formats[0]) {
		*ret_formats = MEDIA_ALL;
		return 0;
	}
	unsigned f = 0;
	for (char **v = b->formats; *v; v++) {
		unsigned one;
		int r = media_parse_formats(*v, &one, err);
		if (r < 0)
			return perr_wrap(err, "paddock.formats");
		f |= one;
	}
	*ret_formats = f;
	return 0;
}

int media_emit_plan(const struct plan *p, const char *outdir, const char *base, char *const *cmdlines,
		    const struct media_build_opts *o, struct strv *out, struct perr *err)
{
	const struct plan_build_opts *b = plan_build_options(p);
	size_t n = plan_node_count(p);
	struct media_input in = {
		.base = base,
		.n_nodes = n,
		.http_base = o && o->http_base ? o->http_base : b->http_base,
		.console = b->console,
		.menu_timeout = b->menu_timeout,
		.syslinux_dir = o ? o->syslinux_dir : NULL,
		.grub_dir = o ? o->grub_dir : NULL,
		.source_date_epoch = o ? o->source_date_epoch : 0,
	};
	int r = media_plan_formats(p, o, &in.formats, err);
	if (r < 0 || !in.formats)
		return r;
	struct media_node *nodes = calloc(n, sizeof *nodes);
	char **paths = calloc(3 * n, sizeof *paths);
	if (!nodes || !paths) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const struct plan_node *pn = plan_node_at(p, i);
		if (asprintf(&paths[3 * i], "%s/%s/vmlinuz", outdir, pn->name) < 0 ||
		    asprintf(&paths[3 * i + 1], "%s/%s/node.img", outdir, pn->name) < 0 ||
		    asprintf(&paths[3 * i + 2], "%s/%s/initrd.img", outdir, pn->name) < 0) {
			r = perr_set(err, -ENOMEM, "out of memory");
			goto done;
		}
		nodes[i] = (struct media_node){
			.name = pn->name,
			.mac = pn->mac && *pn->mac ? pn->mac : NULL,
			.cmdline = cmdlines ? cmdlines[i] : pn->kernel_args,
			.kernel = paths[3 * i],
			.node_layer = paths[3 * i + 1],
			.initrd = paths[3 * i + 2],
		};
	}
	in.nodes = nodes;
	r = media_emit(&in, outdir, out, err);
done:
	for (size_t i = 0; paths && i < 3 * n; i++)
		free(paths[i]);
	free(paths);
	free(nodes);
	return r;
}
