/* plan_json: `paddock plan --json`, built in a strbuf with lib's escaper.
 * Its layout (which containers sit on one line, how deep lines indent) is
 * part of the contract: programs may diff it, so it stays byte-stable. */
#include "plan/plan_output.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/system_images.h"
#include "strbuf.h"
#include "strv.h"

#define MAX_DEPTH 8     /* the document nests 6 deep */

/* The document being written and its open objects and arrays. */
struct jw {
	struct strbuf sb;
	size_t depth;
	struct frame {
		char close;
		bool one_line;  /* `{ "a": 1, "b": 2 }` rather than one element per line */
		int ind;        /* indent of its element lines; arrays of strings in it add 2 */
		bool any;       /* an element was written */
	} f[MAX_DEPTH];
};

/* What separates the next element from the one before. */
static void jw_next(struct jw *w)
{
	struct frame *f = &w->f[w->depth - 1];
	if (f->one_line)
		sb_adds(&w->sb, f->any ? ", " : " ");
	else
		sb_printf(&w->sb, "%s\n%*s", f->any ? "," : "", f->ind, "");
	f->any = true;
}

static void jw_key(struct jw *w, const char *key)
{
	jw_next(w);
	sb_json_str(&w->sb, key);
	sb_adds(&w->sb, ": ");
}

/* Opens an object ('{') or array ('[') where a value goes. */
static void jw_open(struct jw *w, char open, bool one_line, int ind)
{
	if (w->depth == MAX_DEPTH) {
		w->sb.err = -E2BIG;
		return;
	}
	sb_add(&w->sb, &open, 1);
	w->f[w->depth++] = (struct frame){ open == '{' ? '}' : ']', one_line, ind, false };
}

static void jw_close(struct jw *w)
{
	if (!w->depth)
		return;
	const struct frame *f = &w->f[--w->depth];
	if (f->any && f->one_line)
		sb_adds(&w->sb, " ");
	else if (f->any)
		sb_printf(&w->sb, "\n%*s", f->ind - 2, "");
	sb_add(&w->sb, &f->close, 1);
}

static void jw_strv(struct jw *w, char *const *v)
{
	jw_open(w, '[', false, w->f[w->depth - 1].ind + 2);
	for (size_t i = 0; v && v[i]; i++) {
		jw_next(w);
		sb_json_str(&w->sb, v[i]);
	}
	jw_close(w);
}

/* One member of an object; a table of them says what an object holds. */
struct field {
	const char *key;
	enum { F_STR, F_OPT, F_STRV, F_INT, F_BOOL } kind;
	const char *s;          /* F_STR, F_OPT (NULL: null) */
	char *const *v;         /* F_STRV */
	long long i;            /* F_INT, F_BOOL */
};

static void jw_field(struct jw *w, const struct field *f)
{
	jw_key(w, f->key);
	switch (f->kind) {
	case F_STR: sb_json_str(&w->sb, f->s); break;
	case F_OPT:
		if (f->s)
			sb_json_str(&w->sb, f->s);
		else
			sb_adds(&w->sb, "null");
		break;
	case F_STRV: jw_strv(w, f->v); break;
	case F_INT: sb_printf(&w->sb, "%lld", f->i); break;
	case F_BOOL: sb_adds(&w->sb, f->i ? "true" : "false"); break;
	}
}

static void jw_fields(struct jw *w, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		jw_field(w, &f[i]);
}

#define JW_FIELDS(w, table) jw_fields(w, table, sizeof(table) / sizeof(*(table)))

/* An element of the array being written: an object of the table's fields. */
static void jw_object(struct jw *w, bool one_line, int ind, const struct field *f, size_t n)
{
	jw_next(w);
	jw_open(w, '{', one_line, ind);
	jw_fields(w, f, n);
	jw_close(w);
}

#define JW_OBJECT(w, one_line, ind, table) \
	jw_object(w, one_line, ind, table, sizeof(table) / sizeof(*(table)))

static void jw_str(struct jw *w, const char *key, const char *s)
{
	jw_field(w, &(struct field){ key, F_STR, s, NULL, 0 });
}

static void jw_opt(struct jw *w, const char *key, const char *s)
{
	jw_field(w, &(struct field){ key, F_OPT, s, NULL, 0 });
}

/* A string member built from a format (escaped as a whole). */
static void jw_strf(struct jw *w, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void jw_strf(struct jw *w, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	jw_str(w, key, s ? s : "");
	if (!s)
		w->sb.err = -ENOMEM;
	free(s);
}

static void write_etcd(struct jw *w, const struct plan *p)
{
	const struct cluster *c = plan_cluster(p);
	const struct cfg_etcd *e = &c->services.etcd;
	jw_key(w, "etcd");
	jw_open(w, '{', false, 4);
	jw_key(w, "members");
	jw_open(w, '[', false, 6);
	for (size_t i = 0; i < plan_node_count(p); i++) {
		const struct plan_node *n = plan_node_at(p, i);
		if (!(n->roles & PLAN_ROLE_ETCD))
			continue;
		jw_next(w);
		jw_open(w, '{', true, 6);
		jw_strf(w, "name", "etcd-%s", n->name);
		jw_str(w, "node", n->name);
		jw_strf(w, "peer_url", "https://%s:2380", n->internal_address);
		jw_strf(w, "client_url", "https://%s:2379", n->internal_address);
		jw_close(w);
	}
	jw_close(w);
	const struct field cluster[] = {
		{ "initial_cluster", F_STR, plan_etcd_initial_cluster(p), NULL, 0 },
		{ "external_urls", F_STRV, NULL, e->external_urls.v, 0 },
	};
	JW_FIELDS(w, cluster);
	if (e->uid && e->gid)
		jw_strf(w, "user", "%lld:%lld", e->uid, e->gid);
	else
		jw_opt(w, "user", NULL);
	jw_key(w, "snapshots");
	jw_open(w, '{', true, 4);
	if (e->backup.present) {
		const struct field backup[] = {
			{ "enabled", F_BOOL, NULL, NULL, e->backup.enabled },
			{ "interval_hours", F_INT, NULL, NULL, e->backup.interval_hours },
			{ "retention", F_INT, NULL, NULL, e->backup.retention },
			{ "s3", F_BOOL, NULL, NULL, e->backup.s3.present },
		};
		JW_FIELDS(w, backup);
	} else {
		const struct field snapshot[] = {
			{ "enabled", F_BOOL, NULL, NULL, e->snapshot },
			{ "creation", F_STR, e->creation, NULL, 0 },
			{ "retention", F_STR, e->retention, NULL, 0 },
			{ "s3", F_BOOL, NULL, NULL, false },
		};
		JW_FIELDS(w, snapshot);
	}
	jw_close(w);
	jw_close(w);
}

/* Registries without their credentials. */
static void write_registries(struct jw *w, const struct cluster *c)
{
	jw_key(w, "private_registries");
	jw_open(w, '[', false, 4);
	for (size_t i = 0; i < c->nregistries; i++) {
		const struct cfg_registry *g = &c->registries[i];
		const struct field reg[] = {
			{ "url", F_STR, g->url, NULL, 0 },
			{ "is_default", F_BOOL, NULL, NULL, g->is_default },
			{ "has_credentials", F_BOOL, NULL, NULL, (g->user && *g->user) || g->ecr },
		};
		JW_OBJECT(w, true, 4, reg);
	}
	jw_close(w);
}

/* The image of every system_images key the cluster runs (null: none). */
static void write_images(struct jw *w, const struct cluster *c)
{
	struct cfg_image_need need[CFG_MAX_IMAGE_NEEDS];
	size_t n = cfg_images_needed(c, need);
	jw_key(w, "system_images");
	jw_open(w, '{', false, 4);
	for (size_t i = 0; i < n; i++) {
		char *img = cfg_system_image(c, need[i].key);
		jw_opt(w, need[i].key, img);
		free(img);
	}
	jw_close(w);
}

static void write_boot(struct jw *w, const struct plan_node *n)
{
	const struct field net[] = {
		{ "mode", F_STR, n->dhcp ? "dhcp" : "static", NULL, 0 },
		{ "address", F_OPT, n->net_address, NULL, 0 },
		{ "gateway", F_OPT, n->net_gateway, NULL, 0 },
		{ "dns", F_STRV, NULL, n->dns, 0 },
	};
	const struct field disk[] = {
		{ "state_disk", F_OPT, n->state_disk, NULL, 0 },
		{ "kernel_args", F_OPT, n->kernel_args, NULL, 0 },
		{ "debug_shell", F_BOOL, NULL, NULL, n->debug_shell },
	};
	jw_key(w, "boot");
	jw_open(w, '{', false, 8);
	jw_opt(w, "mac", n->mac);
	jw_key(w, "network");
	jw_open(w, '{', true, 8);
	JW_FIELDS(w, net);
	jw_close(w);
	JW_FIELDS(w, disk);
	jw_close(w);
}

/* labels and taints, as cluster.yml gives them */
static void write_labels_taints(struct jw *w, const struct cfg_node *cn)
{
	jw_key(w, "labels");
	jw_open(w, '{', true, 6);
	for (size_t j = 0; j < cn->labels.n; j++)
		jw_str(w, cn->labels.v[j].key, cn->labels.v[j].val);
	jw_close(w);
	jw_key(w, "taints");
	jw_open(w, '[', true, 6);
	for (size_t j = 0; j < cn->ntaints; j++) {
		const struct field taint[] = {
			{ "key", F_OPT, cn->taints[j].key, NULL, 0 },
			{ "value", F_OPT, cn->taints[j].value, NULL, 0 },
			{ "effect", F_OPT, cn->taints[j].effect, NULL, 0 },
		};
		JW_OBJECT(w, true, 6, taint);
	}
	jw_close(w);
}

/* containers, certificates and files of the node's layer */
static void write_layer(struct jw *w, const struct plan *p, size_t i)
{
	size_t nc, ncert, nf;
	const struct plan_container *ct = plan_node_containers(p, i, &nc);
	const struct plan_cert *ce = plan_node_certs(p, i, &ncert);
	const struct plan_file *fl = plan_node_files(p, i, &nf);
	jw_key(w, "containers");
	jw_open(w, '[', false, 8);
	for (size_t j = 0; j < nc; j++) {
		const struct field f[] = {
			{ "name", F_STR, ct[j].name, NULL, 0 },
			{ "image", F_STR, ct[j].image, NULL, 0 },
			{ "source", F_STR, ct[j].source, NULL, 0 },
			{ "user", F_OPT, ct[j].user, NULL, 0 },
			{ "args", F_STRV, NULL, ct[j].args, 0 },
			{ "binds", F_STRV, NULL, ct[j].binds, 0 },
			{ "env", F_STRV, NULL, ct[j].env, 0 },
			{ "binary", F_OPT, ct[j].binary, NULL, 0 },
			{ "network_mode", F_STR, ct[j].network_mode, NULL, 0 },
			{ "pid_mode", F_STR, ct[j].pid_mode, NULL, 0 },
			{ "privileged", F_BOOL, NULL, NULL, ct[j].privileged },
			{ "restart", F_STR, ct[j].restart, NULL, 0 },
		};
		JW_OBJECT(w, false, 10, f);
	}
	jw_close(w);
	jw_key(w, "certificates");
	jw_open(w, '[', false, 8);
	for (size_t j = 0; j < ncert; j++) {
		const struct field f[] = {
			{ "name", F_STR, ce[j].name, NULL, 0 },
			{ "common_name", F_STR, ce[j].common_name, NULL, 0 },
			{ "sans", F_STRV, NULL, ce[j].sans, 0 },
		};
		JW_OBJECT(w, true, 10, f);
	}
	jw_close(w);
	jw_key(w, "files");
	jw_open(w, '[', false, 8);
	for (size_t j = 0; j < nf; j++) {
		char mode[16];
		snprintf(mode, sizeof(mode), "%04o", fl[j].mode);
		const struct field f[] = {
			{ "path", F_STR, fl[j].path, NULL, 0 },
			{ "mode", F_STR, mode, NULL, 0 },
			{ "source", F_STR, fl[j].source, NULL, 0 },
		};
		JW_OBJECT(w, true, 8, f);
	}
	jw_close(w);
}

static void write_node(struct jw *w, const struct plan *p, size_t i)
{
	const struct plan_node *n = plan_node_at(p, i);
	const struct cfg_node *cn = &plan_cluster(p)->nodes[i];
	const struct field id[] = {
		{ "name", F_STR, n->name, NULL, 0 },
		{ "address", F_STR, n->address, NULL, 0 },
		{ "internal_address", F_STR, n->internal_address, NULL, 0 },
	};
	static const char *const roles[] = { "etcd", "controlplane", "worker" };
	jw_next(w);
	jw_open(w, '{', false, 6);
	JW_FIELDS(w, id);
	jw_key(w, "roles");
	sb_adds(&w->sb, "[");
	for (unsigned k = 0, any = 0; k < 3; k++)
		if (n->roles & (1u << k))
			sb_printf(&w->sb, "%s\"%s\"", any++ ? ", " : "", roles[k]);
	sb_adds(&w->sb, "]");
	jw_str(w, "ssh_user", cn->user);
	write_boot(w, n);
	jw_opt(w, "pod_cidr", n->pod_cidr);
	char **routes = plan_pod_routes(p, i);
	jw_key(w, "pod_routes");
	jw_strv(w, routes);
	w->sb.err |= routes ? 0 : -ENOMEM;
	strv_free(routes);
	write_labels_taints(w, cn);
	write_layer(w, p, i);
	jw_close(w);
}

int plan_write_json(const struct plan *p, FILE *out)
{
	const struct cluster *c = plan_cluster(p);
	const struct plan_build_opts *o = plan_build_options(p);
	const struct field head[] = {
		{ "paddock_plan", F_INT, NULL, NULL, PLAN_JSON_VERSION },
		{ "file", F_STR, c->file, NULL, 0 },
		{ "cluster_name", F_STR, plan_cluster_name(p), NULL, 0 },
		{ "kubernetes_version", F_STR, c->kubernetes_version, NULL, 0 },
		{ "network_plugin", F_STR, c->network.plugin, NULL, 0 },
		{ "pod_network", F_STR, c->paddock.pod_network, NULL, 0 },
		{ "default_flags", F_OPT, c->k8s_flags ? k8s_options_key(c->k8s_flags) : NULL, NULL, 0 },
	};
	const struct field build[] = {
		{ "kernel", F_STR, o->kernel_flavour, NULL, 0 },
		{ "compression", F_STR, o->compression, NULL, 0 },
		{ "formats", F_STRV, NULL, o->formats, 0 },
		{ "http_base", F_OPT, o->http_base, NULL, 0 },
		{ "console", F_STR, o->console, NULL, 0 },
		{ "menu_timeout", F_INT, NULL, NULL, o->menu_timeout },
	};
	struct jw w = { .sb = STRBUF_INIT };
	jw_open(&w, '{', false, 2);
	JW_FIELDS(&w, head);
	/* which version data the images and flags come from */
	const struct field data[] = {
		{ "name", F_STR, k8s_data_name(), NULL, 0 },
		{ "file", F_OPT, k8s_data_file(), NULL, 0 },
		{ "sha256", F_STR, k8s_data_sha256(), NULL, 0 },
	};
	jw_key(&w, "version_data");
	jw_open(&w, '{', true, 4);
	JW_FIELDS(&w, data);
	jw_close(&w);
	jw_key(&w, "build");
	jw_open(&w, '{', false, 4);
	JW_FIELDS(&w, build);
	jw_close(&w);
	write_etcd(&w, p);
	write_registries(&w, c);
	write_images(&w, c);
	jw_key(&w, "nodes");
	jw_open(&w, '[', false, 4);
	for (size_t i = 0; i < plan_node_count(p); i++)
		write_node(&w, p, i);
	jw_close(&w);
	jw_close(&w);
	sb_adds(&w.sb, "\n");
	int r = w.sb.err ? -1 : 0;
	if (!r && fwrite(w.sb.s, 1, w.sb.len, out) != w.sb.len)
		r = -1;
	sb_free(&w.sb);
	return r < 0 || ferror(out) ? -1 : 0;
}
