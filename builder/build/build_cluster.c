#include "build/build_cluster.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "out/outdir.h"
#include "build/build.h"
#include "config/netaddr.h"
#include "image/appliance.h"
#include "image/role_containers.h"
#include "image/cpio.h"
#include "image/cni_files.h"
#include "image/kube_files.h"
#include "image/registry_files.h"
#include "plan/cmdline.h"
#include "plan/media_plan.h"
#include "plan/plan.h"
#include "pki/pki.h"
#include "pki/report_key.h"
#include "pki/ssh.h"
#include "strbuf.h"
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
	struct pki_state *pki;  /* the cluster state file, locked */
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
	pki_state_close(c->pki); /* lets go of the lock */
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

/* Node i of p: its files, config and command line.  Its warning is said
 * unless it is *last, the one said before; then it is counted in *repeats. */
static int gather_node(const struct build_options *o, const struct plan *p, size_t i,
		       struct cluster_nodes *c, char **last, size_t *repeats, struct perr *err)
{
	const char *name = plan_node_at(p, i)->name;
	char *warning = NULL;
	int r = appliance_node_files(p, i, &c->svcs, &c->files[i], err);
	if (r == 0)
		r = role_containers(p, i, &c->files[i], err);
	if (r == 0)
		r = registry_node_files(p, i, &c->files[i], err);
	if (r == 0 && (r = pki_node_files(c->pki, p, i, &c->files[i], err)) == 0 &&
	    (r = kube_node_files(p, i, &c->files[i], err)) == 0 &&
	    (r = cni_node_files(p, i, &c->files[i], err)) == 0)
		r = ssh_node_files(c->pki, p, i, &c->files[i], &warning, err);
	if (r == 0)
		r = report_key_node_file(c->pki, p, i, &c->files[i], err);
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
		c->nfiles[i][k] = (struct node_file){ f->v[k].path, f->v[k].data, f->v[k].len, f->v[k].mode,
						      f->v[k].uid, f->v[k].gid };
	if ((r = plan_node_config(p, i, &c->cfgs[i], err)) < 0)
		return r;
	strv_add_owned(&c->cmdlines, cmdline_for_node(p, i));
	if (c->cmdlines.oom)
		return perr_set(err, -ENOMEM, "out of memory");
	c->nodes[i] = (struct build_node){ .name = name, .cmdline = c->cmdlines.v[i], .cfg = &c->cfgs[i],
					   .files = c->nfiles[i], .nfiles = f->n };
	return 0;
}

static int gather_nodes(const struct build_options *o, const struct plan *p, struct cluster_nodes *c,
			struct perr *err)
{
	size_t n = plan_node_count(p), repeats = 0;
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
		r = gather_node(o, p, i, c, &last, &repeats, err);
	free(last);
	if (r == 0 && repeats)
		warn(o, "the same for %zu more node(s)", repeats);
	return r;
}

struct operator_stage {
	struct pki_state *pki;
	const struct plan *plan;
	const char *file, *out;
};

static int operator_run(void *ctx, const char *dir, struct strv *added, struct perr *err)
{
	const struct operator_stage *s = ctx;
	return pki_operator_files(s->pki, s->plan, s->file, s->out, dir, added, err);
}

static void state_waiting(void *ctx, const char *path)
{
	const struct build_options *o = ctx;
	progress_say(o->progress, "waiting for %s: another paddock is using it", path);
}

static bool in_plan(void *ctx, const char *node)
{
	const struct plan *p = ctx;
	for (size_t i = 0; i < plan_node_count(p); i++)
		if (!strcmp(plan_node_at(p, i)->name, node))
			return true;
	return false;
}

/* The state file, locked, with the cluster's CAs and keys in it, and no
 * keys of nodes the file no longer has. */
static int open_state(const struct build_options *o, const struct plan *p, struct pki_state **ret,
		      struct perr *err)
{
	struct pki_state_opts so = { .now = (long long)time(NULL), .create = true, .waiting = state_waiting,
				     .ctx = (void *)o };
	struct strv gone = STRV_INIT;
	int r = pki_state_open(o->file, &so, ret, err);
	if (r == 0 && pki_forget_nodes(*ret, in_plan, (void *)p, &gone)) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < gone.n; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", gone.v[i]);
		warn(o, "%s: removed the keys and certificates of %zu node(s) no longer in %s: %s", pki_state_path(*ret),
		     gone.n, o->file, sb.s ? sb.s : "");
		sb_free(&sb);
	}
	strv_clear(&gone);
	if (r == 0 && (r = pki_issue_cluster(*ret, p, err)) < 0) {
		pki_state_close(*ret);
		*ret = NULL;
	}
	return r;
}

/* Saves what the nodes added to the state, and says what the operator
 * must know about it. */
static int save_state(const struct build_options *o, struct pki_state *st, struct perr *err)
{
	bool is_new = pki_state_is_new(st);
	int r = pki_state_save(st, err);
	if (r < 0)
		return r;
	if (is_new)
		warn(o, PKI_STATE_CREATED, pki_state_path(st));
	size_t n;
	char *const *renewed = pki_state_renewals(st, &n);
	if (n) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < n; i++)
			sb_printf(&sb, "%s%s", i ? ", " : "", renewed[i]);
		warn(o, "renewed %zu certificate(s) that ended within %d days: %s", n, PKI_RENEW_DAYS,
		     sb.s ? sb.s : "");
		sb_free(&sb);
	}
	const char *what;
	long long end = pki_state_first_expiry(st, &what), now = pki_state_now(st);
	if (end && end - now < 30 * 86400LL) {
		char day[32];
		time_t t = (time_t)end;
		struct tm tm;
		strftime(day, sizeof day, "%Y-%m-%d", gmtime_r(&t, &tm));
		warn(o, "%s %s on %s: renew with `paddock certs rotate %s` (--ca for a CA) and rebuild", what,
		     end < now ? "expired" : "expires", day, o->file);
	}
	return 0;
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

/* The audit of the finished output: a failure of a check builds enforce
 * fails the build (and OUT stays as it was). */
static int audit_stage(void *ctx, const char *dir, struct perr *err)
{
	const struct progress *progress = ctx;
	struct audit_report rep = { 0 };
	double t0 = progress_now();
	int r = audit_run(dir, &rep, err);
	size_t failed = r < 0 ? 0 : audit_report_failures(&rep, true), waiting = 0;
	const struct audit_check *last = NULL;
	for (size_t i = 0; r >= 0 && i < rep.n; i++)
		if (rep.v[i].status == AUDIT_FAIL && !rep.v[i].check->enforced && rep.v[i].check != last) {
			last = rep.v[i].check;
			waiting++;
		}
	if (r >= 0 && failed) {
		char *why = audit_report_enforced_failures(&rep);
		r = perr_set(err, -EPERM, "%zu failed: %s", failed, why ? why : "out of memory");
		free(why);
	} else if (r >= 0) {
		progress_say(progress, "audit: %zu results pass, %zu check(s) not enforced yet (%.1f s)",
			     rep.n - audit_report_failures(&rep, false), waiting, progress_now() - t0);
	}
	audit_report_free(&rep);
	return r < 0 ? perr_wrap(err, "audit") : 0;
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
	/* the file's http_base is checked with the file; this one before any work */
	const char *why = o->http_base && *o->http_base ? http_base_problem(o->http_base) : NULL;
	if (why)
		return strchr(o->http_base, '@') ? perr_set(err, -EINVAL, "--http-base: %s", why)
						 : perr_set(err, -EINVAL, "--http-base: `%s` %s", o->http_base, why);
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
	/* OUT is refused before the state file beside the cluster file is made */
	struct outdir_keep keep = { .input = o->file, .root = o->root, .cache = o->cache };
	if ((r = outdir_check(o->out, &keep, err)) < 0) {
		*failure = BUILD_FAILED_OUTPUT;
		return r;
	}
	struct cluster_nodes c = { .cmdlines = STRV_INIT };
	if ((r = open_state(o, p, &c.pki, err)) == 0 && (r = gather_nodes(o, p, &c, err)) == 0 &&
	    (r = save_state(o, c.pki, err)) == 0) {
		struct media_stage ms = { p, c.cmdlines.v, &mopts };
		struct build_stage stage = { media_run, &ms };
		struct build_check check = { audit_stage, (void *)o->progress };
		struct operator_stage os = { c.pki, p, o->file, o->out };
		struct build_stage operator = { operator_run, &os };
		struct build_request rq = {
			.root = o->root, .products = o->products, .cache = o->cache, .out = o->out,
			.flavour = kernel, .compression = cz,
			/* the ISO boots base + node layer in one file */
			.combined = names_format(o->formats, po ? po->formats : NULL, "initrd") ||
				    (mformats & MEDIA_ISO),
			.mtime = o->source_date_epoch, .cluster_name = plan_cluster_name(p), .source = o->file,
			.version_data = { k8s_data_name(), k8s_data_file(), k8s_data_sha256() },
			.nodes = c.nodes, .n = c.n, .progress = o->progress, .media = mformats ? &stage : NULL,
			.check = &check,
			.operator = &operator,
		};
		*failure = BUILD_FAILED_OUTPUT;
		r = build_run(&rq, err);
	}
	cluster_nodes_free(&c);
	return r;
}

int build_cluster(const struct build_options *o, enum build_failure *ret_failure, struct perr *err)
{
	enum build_failure failure = BUILD_FAILED_INPUT;
	struct diag_list diags = { 0 };
	struct plan *p = NULL;
	int r = plan_load(o->file, &p, &diags, err);
	if (o->report && o->report->diags)
		o->report->diags(o->report->ctx, &diags, r < 0 ? err : NULL);
	diag_free(&diags);
	if (r == 0)
		r = run(o, p, &failure, err);
	if (p)
		plan_free(p);
	if (r < 0 && ret_failure)
		*ret_failure = failure;
	return r < 0 ? r : 0;
}
