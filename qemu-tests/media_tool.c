/* media-tool: makes the boot media of a cluster file from stand-in
 * images, through the same media_emit_plan() that `paddock build` calls,
 * for the boot-media tests.
 *
 *   media-tool names CLUSTER.yml
 *       prints the node names, one a line
 *   media-tool emit CLUSTER.yml OUTDIR FIXDIR FORMATS|- HTTP_BASE|-
 *       lays out FIXDIR/vmlinuz, FIXDIR/nodes/<node>.img and
 *       FIXDIR/<node>.initrd as a build would (OUTDIR/<node>/vmlinuz,
 *       node.img, initrd.img), then emits the media; prints the files.
 *   media-tool emit-built CLUSTER.yml OUTDIR FORMATS|- HTTP_BASE|-
 *       emits the media of what `paddock build --formats kernel,initrd`
 *       left in OUTDIR (base.img, <node>/vmlinuz, node.img, initrd.img). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan/media_plan.h"
#include "fsutil.h"
#include "plan/plan.h"

static int fail(struct perr *err)
{
	char *m = perr_format(err);
	fprintf(stderr, "media-tool: %s\n", m ? m : "error");
	free(m);
	perr_clear(err);
	return 1;
}

static int layout(const struct plan *p, const char *outdir, const char *fix, struct perr *err)
{
	for (size_t i = 0; i < plan_node_count(p); i++) {
		const char *name = plan_node_at(p, i)->name;
		char *src[3] = { NULL }, *dst[3] = { NULL };
		int r = 0;
		if (asprintf(&src[0], "%s/vmlinuz", fix) < 0 || asprintf(&src[1], "%s/nodes/%s.img", fix, name) < 0 ||
		    asprintf(&src[2], "%s/%s.initrd", fix, name) < 0 ||
		    asprintf(&dst[0], "%s/%s", outdir, name) < 0)
			r = perr_set(err, -12, "out of memory");
		if (r == 0)
			r = mkdir_p(dst[0], 0700, err);
		free(dst[0]);
		dst[0] = NULL;
		if (r == 0 && (asprintf(&dst[0], "%s/%s/vmlinuz", outdir, name) < 0 ||
			       asprintf(&dst[1], "%s/%s/node.img", outdir, name) < 0 ||
			       asprintf(&dst[2], "%s/%s/initrd.img", outdir, name) < 0))
			r = perr_set(err, -12, "out of memory");
		for (int k = 0; r == 0 && k < 3; k++)
			r = copy_file(src[k], dst[k], k ? 0600 : 0644, err);
		for (int k = 0; k < 3; k++) {
			free(src[k]);
			free(dst[k]);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct perr err = PERR_INIT;
	struct plan *p = NULL;
	int built = argc == 6 && !strcmp(argv[1], "emit-built");
	if (argc < 3 || (strcmp(argv[1], "names") && !built && (strcmp(argv[1], "emit") || argc != 7))) {
		fprintf(stderr, "usage: media-tool names CLUSTER.yml\n"
				"       media-tool emit CLUSTER.yml OUTDIR FIXDIR FORMATS|- HTTP_BASE|-\n"
				"       media-tool emit-built CLUSTER.yml OUTDIR FORMATS|- HTTP_BASE|-\n");
		return 2;
	}
	if (plan_load(argv[2], &p, NULL, &err) < 0)
		return fail(&err);
	int st = 0;
	if (!strcmp(argv[1], "names")) {
		for (size_t i = 0; i < plan_node_count(p); i++)
			printf("%s\n", plan_node_at(p, i)->name);
	} else {
		const char *formats = argv[built ? 4 : 5], *http = argv[built ? 5 : 6];
		struct media_build_opts o = {
			.formats = strcmp(formats, "-") ? formats : NULL,
			.http_base = strcmp(http, "-") ? http : NULL,
			.source_date_epoch = getenv("SOURCE_DATE_EPOCH") ? atoll(getenv("SOURCE_DATE_EPOCH")) : 0,
		};
		struct strv out = STRV_INIT;
		char *base = path_join(built ? argv[3] : argv[4], "base.img");
		if (!base || (!built && layout(p, argv[3], argv[4], &err) < 0) ||
		    media_emit_plan(p, argv[3], base, NULL, &o, &out, &err) < 0)
			st = fail(&err);
		for (size_t i = 0; i < out.n; i++)
			printf("%s\n", out.v[i]);
		strv_clear(&out);
		free(base);
	}
	plan_free(p);
	return st;
}
