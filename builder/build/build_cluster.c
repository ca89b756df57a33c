#include "build/build_cluster.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "build/build.h"
#include "image/appliance.h"
#include "image/cpio.h"
#include "pki/ssh.h"
#include "pki/state.h"
#include "plan/cmdline.h"
#include "plan/media_plan.h"
#include "plan/plan.h"
#include "strv.h"

/* The nodes as build_run() takes them, and what they point into. */
struct cluster_nodes {
	struct os_services svcs;
	struct build_node *nodes;
	struct nodecfg *cfgs;
	struct appl_files *files;
	struct node_file **nfiles;
	struct strv cmdlines;   /* node i's kernel command line; also the media's */
	size_t n;
};

static void cluster_nodes_free(struct cluster_nodes *c)
{
	for (size_t i = 0; i < c->n; i++) {
		nodecfg_free(&c->cfgs[i]);
		appl_files_free(&c->files[i]);
		free(c->nfiles[i]);
	}
	free(c->nodes);
	free(c->cfgs);
	free(c->files);
	free(c->nfiles);
	strv_clear(&c->cmdlines);
	os_services_free(&c->svcs);
}

static void warn(const struct build_options *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(const struct build_options *o, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	if (!o->report || !o->report->warning)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) >= 0) {
		o->report->warning(o->report->ctx, msg);
		free(msg);
	}
	va_end(ap);
}

/* ssh_file_fn: the SSH side's files are root's; data is taken also on failure. */
static int take_file(void *ctx, const char *path, char *data, size_t len, mode_t mode)
{
	int r = appl_files_add(ctx, path, data, len, mode, 0, 0);
	if (r < 0) {
		OPENSSL_cleanse(data, len);
		free(data);
	}
	return r;
}

/* Node i of p: its files, config and command line.  Its warning is said
 * unless it is *last, the one said before; then it is counted in *repeats. */
static int gather_node(const struct build_options *o, const struct ssh_build *sb, size_t i,
		       struct cluster_nodes *c, char **last, size_t *repeats, struct perr *err)
{
	const struct plan *p = sb->p;
	const char *name = plan_node_at(p, i)->name;
	char *warning = NULL;
	int r = appliance_node_files(p, i, &c->svcs, &c->files[i], err);
	if (r == 0)
		r = ssh_node_files(sb, i, take_file, &c->files[i], &warning, err);
	if (r < 0)
		return r;
	if (warning && *last && !strcmp(warning, *last)) {
		(*repeats)++;
		free(warning);
	} else if (warning) {
		warn(o, "node %s: %s", name, warning);
		free(*last);
		*last = warning;
	}
	const struct appl_files *f = &c->files[i];
	if (!(c->nfiles[i] = calloc(f->n ? f->n : 1, sizeof(**c->nfiles))))
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t k = 0; k < f->n; k++)
		c->nfiles[i][k] = (struct node_file){ f->v[k].path, f->v[k].data, f->v[k].len, f->v[k].mode };
	if ((r = plan_node_config(p, i, &c->cfgs[i], err)) < 0)
		return r;
	strv_add_owned(&c->cmdlines, cmdline_for_node(p, i));
	if (c->cmdlines.oom)
		return perr_set(err, -ENOMEM, "out of memory");
	c->nodes[i] = (struct build_node){ .name = name, .cmdline = c->cmdlines.v[i], .cfg = &c->cfgs[i],
					   .files = c->nfiles[i], .nfiles = f->n };
	return 0;
}

static int gather_nodes(const struct build_options *o, const struct ssh_build *sb, struct cluster_nodes *c,
			struct perr *err)
{
	size_t n = plan_node_count(sb->p), repeats = 0;
	char *last = NULL;
	int r = 0;
	c->nodes = calloc(n ? n : 1, sizeof(*c->nodes));
	c->cfgs = calloc(n ? n : 1, sizeof(*c->cfgs));
	c->files = calloc(n ? n : 1, sizeof(*c->files));
	c->nfiles = calloc(n ? n : 1, sizeof(*c->nfiles));
	if (!c->nodes || !c->cfgs || !c->files || !c->nfiles)
		return perr_set(err, -ENOMEM, "out of memory");
	c->n = n;
	/* the os-services (os-services/ of the source tree), checked once */
	if ((r = appliance_services(o->root, &c->svcs, err)) < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++)
		r = gather_node(o, sb, i, c, &last, &repeats, err);
	free(last);
	if (r == 0 && repeats)
		warn(o, "the same for %zu more node(s)", repeats);
	return r;
}

struct operator_stage {
	const struct ssh_build *ssh;
	const char *out;
};

/* The operator's files (ssh_config, known_hosts) in the temporary OUT. */
static int operator_run(void *ctx, const char *dir, struct strv *added, struct perr *err)
{
	const struct operator_stage *s = ctx;
	/* OUT's own name, which ssh_config refers to known_hosts by */
	size_t len = strlen(s->out);
	while (len > 1 && s->out[len - 1] == '/')
		len--;
	size_t start = len;
	while (start && s->out[start - 1] != '/')
		start--;
	char *name = strndup(s->out + start, len - start);
	if (!name)
		return perr_set(err, -ENOMEM, "out of memory");
	int r = ssh_client_files(s->ssh, dir, name, added, err);
	free(name);
	return r;
}

struct media_stage {
	const struct plan *plan;
	char *const *cmdlines;
	const struct media_build_opts *opts;
};

static int media_run(void *ctx, const char *dir, struct strv *added, struct perr *err)
{
	const struct media_stage *s = ctx;
	char *base = NULL;
	if (asprintf(&base, "%s/base.img", dir) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	int r = media_emit_plan(s->plan, dir, base, s->cmdlines, s->opts, added, err);
	free(base);
	return r;
}

/* Whether a list of formats names f: "a,b" from the command line, else
 * the file's. */
static bool names_format(const char *list, char *const *file_formats, const char *f)
{
	size_t fl = strlen(f);
	if (!list) {
		for (; file_formats && *file_formats; file_formats++)
			if (!strcmp(*file_formats, f))
				return true;
		return false;
	}
	for (const char *w = list; *w; w += strcspn(w, ",")) {
		w += strspn(w, ",");
		if (!strncmp(w, f, fl) && (w[fl] == ',' || !w[fl]))
			return true;
	}
	return false;
}

static int run(const struct build_options *o, const struct plan *p, enum build_failure *failure,
	       struct perr *err)
{
	const struct plan_build_opts *po = plan_build_options(p);
	const char *kernel = o->kernel ? o->kernel : po && po->kernel_flavour ? po->kernel_flavour : "generic";
	const char *comp = o->compression ? o->compression : po ? po->compression : NULL;
	enum compression cz = COMPRESS_ZSTD;
	if (comp && compression_parse(comp, &cz) < 0)
		return perr_set(err, -EINVAL, "%s: unknown compression '%s'", o->compression ? "compression" : o->file,
				comp);
	struct media_build_opts mopts = { .formats = o->formats, .http_base = o->http_base,
					  .syslinux_dir = o->syslinux_dir, .grub_dir = o->grub_dir,
					  .source_date_epoch = o->source_date_epoch };
	unsigned mformats = 0;
	int r = media_plan_formats(p, &mopts, &mformats, err);
	if (r < 0)
		return r;
	/* certificates start at SOURCE_DATE_EPOCH; without it, now */
	long long now = o->source_date_epoch ? o->source_date_epoch : (long long)time(NULL);
	struct pki_state_opts so = { .now = now, .create = true };
	struct pki_state *st = NULL;
	if ((r = pki_state_open(o->file, &so, &st, err)) < 0)
		return r;
	struct ssh_build sb = { .st = st, .p = p, .now = now };
	struct cluster_nodes c = { .cmdlines = STRV_INIT };
	if ((r = gather_nodes(o, &sb, &c, err)) == 0) {
		struct media_stage ms = { p, c.cmdlines.v, &mopts };
		struct build_stage stage = { media_run, &ms };
		struct operator_stage os = { &sb, o->out };
		struct build_stage ostage = { operator_run, &os };
		struct build_request rq = {
			.root = o->root, .cache = o->cache, .out = o->out, .flavour = kernel, .compression = cz,
			/* the ISO boots base + node layer in one file */
			.combined = names_format(o->formats, po ? po->formats : NULL, "initrd") ||
				    (mformats & MEDIA_ISO),
			.mtime = o->source_date_epoch, .cluster_name = plan_cluster_name(p), .source = o->file,
			.nodes = c.nodes, .n = c.n, .progress = o->progress, .media = mformats ? &stage : NULL,
			.operator = &ostage,
		};
		*failure = BUILD_FAILED_OUTPUT;
		/* kept before OUT holds what it issued, so OUT never names keys it lost */
		if ((r = pki_state_save(st, err)) == 0)
			r = build_run(&rq, err);
	}
	cluster_nodes_free(&c);
	pki_state_close(st);
	return r;
}

int build_cluster(const struct build_options *o, enum build_failure *ret_failure, struct perr *err)
{
	enum build_failure failure = BUILD_FAILED_INPUT;
	struct diag_list diags = { 0 };
	struct plan *p = NULL;
	int r = plan_load(o->file, &p, &diags, err);
	if (o->report && o->report->diags)
		o->report->diags(o->report->ctx, &diags);
	diag_free(&diags);
	if (r == 0)
		r = run(o, p, &failure, err);
	if (p)
		plan_free(p);
	if (r < 0 && ret_failure)
		*ret_failure = failure;
	return r < 0 ? r : 0;
}
