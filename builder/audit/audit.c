/* audit: reads OUT back and runs the checks. */
#include "audit/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "components/listfile.h"
#include "fsutil.h"
#include "json.h"

#define MANIFEST_MAX (64u << 20)
#define SCAN_CHUNK (1u << 20)

/* One layer file of OUT and how many nodes boot it. */
struct slot {
	char *name;
	size_t refs;
	bool shared;
	struct audit_layer *layer;
	char *error;
};

struct run {
	const char *dir;
	struct audit_out out;
	struct slot *slots;
	size_t nslots;
	struct keyscan *ks;
	struct audit_report *rep;
};

/* A path of the manifest that stays inside OUT. */
static bool inside(const char *rel)
{
	if (!rel || !*rel || *rel == '/' || strstr(rel, "\n"))
		return false;
	for (const char *p = rel; *p; p += strcspn(p, "/"), p += *p == '/')
		if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2]))
			return false;
	return true;
}

static struct slot *slot_for(struct run *r, const char *name)
{
	for (size_t i = 0; i < r->nslots; i++)
		if (!strcmp(r->slots[i].name, name))
			return &r->slots[i];
	struct slot *v = realloc(r->slots, (r->nslots + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->slots = v;
	v[r->nslots] = (struct slot){ .name = strdup(name) };
	return v[r->nslots].name ? &v[r->nslots++] : NULL;
}

static int read_manifest(struct run *r, struct perr *err)
{
	char *path = path_join(r->dir, "manifest.json"), *buf = NULL;
	struct json *j = NULL;
	size_t len;
	int rc = path ? read_file(path, MANIFEST_MAX, &buf, &len, err) : perr_set(err, -ENOMEM, "out of memory");
	if (rc >= 0)
		rc = json_parse(buf, len, &j, err);
	if (rc < 0)
		goto out;
	const struct json *nodes = json_get(j, "nodes");
	const char *base = json_str_at(j, "base.file");
	size_t n = 0;
	for (const struct json *x = nodes && nodes->type == JSON_ARR ? nodes->child : NULL; x; x = x->next)
		n++;
	if (!base)
		base = "base.img";
	if (!(r->out.nodes = calloc(n ? n : 1, sizeof(*r->out.nodes)))) {
		rc = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (const struct json *x = n ? nodes->child : NULL; x && rc >= 0; x = x->next) {
		struct audit_outnode *o = &r->out.nodes[r->out.n++];
		const char *name = json_str_at(x, "name");
		const struct json *initrds = json_get(x, "initrds");
		struct strv layers = STRV_INIT;
		if (!inside(name) || strchr(name, '/')) {
			rc = perr_set(err, -EINVAL, "%s: a node without a usable name", path);
			break;
		}
		for (const struct json *l = initrds && initrds->type == JSON_ARR ? initrds->child : NULL; l; l = l->next)
			strv_add(&layers, l->type == JSON_STR ? l->str : "");
		if (!initrds) {
			strv_add(&layers, base);
			strv_addf(&layers, "%s/node.img", name);
		}
		o->name = strdup(name);
		o->layers = strv_steal(&layers);
		if (!o->name || !o->layers) {
			rc = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
		for (char **l = o->layers; *l && rc >= 0; l++) {
			struct slot *s = inside(*l) ? slot_for(r, *l) : NULL;
			if (!inside(*l))
				rc = perr_set(err, -EINVAL, "%s: node %s: layer '%s' is not a file of OUT", path, name, *l);
			else if (!s)
				rc = perr_set(err, -ENOMEM, "out of memory");
			else
				s->shared |= ++s->refs > 1 || !strcmp(*l, base);
		}
	}
	if (rc >= 0 && r->out.n == 0)
		rc = perr_set(err, -EINVAL, "%s: no nodes", path);
out:
	json_free(j);
	free(buf);
	free(path);
	return rc;
}

static void slot_read(struct run *r, struct slot *s)
{
	struct perr err = PERR_INIT;
	char *path = path_join(r->dir, s->name);
	if (!path || audit_layer_read(path, s->name, &s->layer, &err) < 0)
		s->error = path ? perr_format(&err) : strdup("out of memory");
	perr_clear(&err);
	free(path);
}

static void slot_drop(struct slot *s)
{
	audit_layer_free(s->layer);
	s->layer = NULL;
	free(s->error);
	s->error = NULL;
}

static void copy_hits(struct key_hits *to, const struct key_hits *from)
{
	for (size_t i = 0; i < from->n; i++)
		key_hits_add(to, from->v[i].path, from->v[i].label, from->v[i].fp);
}

static void run_checks(struct run *r, const struct audit_subject *s, bool after, size_t order)
{
	for (const struct audit_check *c = audit_checks; c->item; c++) {
		if (c->after_nodes != after || !(c->subjects & s->kind))
			continue;
		struct audit_verdict v = { 0 };
		c->run(s, &v);
		audit_report_add(r->rep, c, s->name, order, &v);
		verdict_clear(&v);
	}
}

static bool count_one(void *ctx, const struct audit_file *f)
{
	(void)f;
	(*(size_t *)ctx)++;
	return true;
}

/* Reads node i's own layers, runs the node checks, keeps its keys. */
static void node_pass(struct run *r, size_t i)
{
	struct audit_outnode *o = &r->out.nodes[i];
	size_t nl = 0, nown = 0;
	while (o->layers[nl])
		nl++;
	struct audit_layer **all = calloc(nl ? nl : 1, sizeof(*all)), **own = calloc(nl ? nl : 1, sizeof(*own));
	if (!all || !own) {
		o->read_error = strdup("out of memory");
		goto out;
	}
	for (size_t k = 0; k < nl; k++) {
		struct slot *s = slot_for(r, o->layers[k]);
		if (!s->shared)
			slot_read(r, s);
		if (s->error) {
			o->read_error = strdup(s->error);
			goto out;
		}
		all[k] = s->layer;
		if (!s->shared) {
			own[nown++] = s->layer;
			copy_hits(&o->keys, &s->layer->keys);
		}
	}
	struct audit_view view, mine;
	audit_view_init(&view, o->name, all, nl);
	audit_view_init(&mine, o->name, own, nown);
	o->has_secrets = o->keys.n > 0 || audit_has_secret_files(&mine);
	audit_view_each(&view, count_one, &o->entries);
	struct audit_subject subj = { AUDIT_NODE, o->name, &view, &r->out, i };
	run_checks(r, &subj, false, i + 1);
	audit_view_free(&mine);
	audit_view_free(&view);
out:
	for (size_t k = 0; k < nl; k++) {
		struct slot *s = slot_for(r, o->layers[k]);
		if (s && !s->shared)
			slot_drop(s);
	}
	free(all);
	free(own);
}

static int scan_raw(struct run *r, const char *rel, struct key_hits *to, struct perr *err)
{
	char *path = path_join(r->dir, rel), *buf = malloc(SCAN_CHUNK);
	int fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1, rc = 0;
	if (!path || !buf)
		rc = perr_set(err, -ENOMEM, "out of memory");
	else if (fd < 0)
		rc = perr_set(err, -errno, "%s: %s", path, strerror(errno));
	if (rc == 0) {
		keyscan_begin(r->ks, rel, to);
		ssize_t n;
		while ((n = fd_read(fd, buf, SCAN_CHUNK)) > 0)
			keyscan_feed(r->ks, buf, (size_t)n);
		keyscan_end(r->ks);
		if (n < 0)
			rc = perr_set(err, (int)n, "%s: %s", path, strerror((int)-n));
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	free(path);
	return rc;
}

static bool is_layer(struct run *r, const char *rel)
{
	for (size_t i = 0; i < r->nslots; i++)
		if (!strcmp(r->slots[i].name, rel))
			return true;
	return false;
}

static bool is_node(const struct audit_out *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (!strcmp(o->nodes[i].name, name))
			return true;
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

/* Records OUT/rel; scans it for keys unless it is a layer (read as one) or
 * boot media made of the layers and the kernel. */
static int out_entry(struct run *r, const char *rel, bool in_node, bool operator, struct perr *err)
{
	struct audit_out *o = &r->out;
	char *path = path_join(r->dir, rel);
	struct stat st;
	if (!path)
		return perr_set(err, -ENOMEM, "out of memory");
	int rc = lstat(path, &st) < 0 ? perr_set(err, -errno, "%s: %s", path, strerror(errno)) : 0;
	free(path);
	if (rc < 0)
		return rc;
	/* <node>/report.key is the server's, private as the operator's files */
	const char *slash = strchr(rel, '/');
	operator |= in_node && slash && !strchr(slash + 1, '/') && !strcmp(slash + 1, "report.key") &&
		    strncmp(rel, "tftp/", 5) && strncmp(rel, "ipxe/", 5);
	struct audit_outfile *v = realloc(o->files, (o->nfiles + 1) * sizeof(*v));
	if (!v)
		return perr_set(err, -ENOMEM, "out of memory");
	o->files = v;
	v[o->nfiles] = (struct audit_outfile){ strdup(rel), st.st_mode, operator };
	if (!v[o->nfiles++].rel)
		return perr_set(err, -ENOMEM, "out of memory");
	const char *base = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	bool media = in_node && (!strcmp(base, "initrd.img") || !strcmp(base, "vmlinuz") || ends_with(base, ".iso") ||
				 !strncmp(rel, "tftp/", 5) || !strncmp(rel, "ipxe/", 5));
	if (!S_ISREG(st.st_mode) || is_layer(r, rel) || media)
		return 0;
	return scan_raw(r, rel, operator ? &o->operator_keys : &o->out_keys, err);
}

static int out_dir(struct run *r, const char *sub, bool in_node, bool operator, struct perr *err)
{
	char *path = path_join(r->dir, sub), **names = NULL;
	size_t n;
	int rc = path ? dir_list_sorted(path, "", &names, &n, err) : perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		char *rel = NULL;
		if (asprintf(&rel, "%s/%s", sub, names[i]) < 0)
			rc = perr_set(err, -ENOMEM, "out of memory");
		else
			rc = out_entry(r, rel, in_node, operator, err);
		free(rel);
	}
	strv_free(names);
	free(path);
	return rc;
}

/* The network boot trees' copies of the node layers and kernels
 * (media.h): tftp/nodes/ and ipxe/nodes/, when there. */
static int out_boot_trees(struct run *r, struct perr *err)
{
	static const char *const trees[] = { "tftp/nodes", "ipxe/nodes", NULL };
	int rc = 0;
	for (size_t i = 0; rc >= 0 && trees[i]; i++) {
		char *p = path_join(r->dir, trees[i]);
		struct stat st;
		if (!p)
			return perr_set(err, -ENOMEM, "out of memory");
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && (rc = out_entry(r, trees[i], false, false, err)) >= 0)
			rc = out_dir(r, trees[i], true, false, err);
		free(p);
	}
	return rc;
}

/* OUT's own files: the top level, the node directories, etcd/, the boot
 * trees' node layers.  The operator's: kube_config_*.yml, etcd/,
 * known_hosts, ssh_config. */
static int out_files(struct run *r, struct perr *err)
{
	char **names = NULL;
	size_t n;
	int rc = dir_list_sorted(r->dir, "", &names, &n, err);
	for (size_t i = 0; rc >= 0 && i < n; i++) {
		const char *name = names[i];
		bool kubeconfig = !strncmp(name, "kube_config_", 12) && ends_with(name, ".yml");
		bool etcd = !strcmp(name, "etcd") && !is_node(&r->out, name);
		bool ssh = !strcmp(name, "known_hosts") || !strcmp(name, "ssh_config");
		rc = out_entry(r, name, false, kubeconfig || etcd || ssh, err);
		struct stat st;
		char *p = rc >= 0 ? path_join(r->dir, name) : NULL;
		if (p && lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && (etcd || is_node(&r->out, name)))
			rc = out_dir(r, name, !etcd, etcd, err);
		free(p);
	}
	strv_free(names);
	return rc < 0 ? rc : out_boot_trees(r, err);
}

static void out_free(struct audit_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->nodes[i].name);
		strv_free(o->nodes[i].layers);
		key_hits_clear(&o->nodes[i].keys);
		free(o->nodes[i].read_error);
	}
	free(o->nodes);
	for (size_t i = 0; i < o->nfiles; i++)
		free(o->files[i].rel);
	free(o->files);
	key_hits_clear(&o->shared_keys);
	key_hits_clear(&o->out_keys);
	key_hits_clear(&o->operator_keys);
	strv_clear(&o->shared_layers);
	free(o->keyidx);
}

int audit_run(const char *dir, struct audit_report *rep, struct perr *err)
{
	struct run r = { .dir = dir, .ks = keyscan_new(), .rep = rep };
	r.out.dir = dir;
	r.out.shared_layers = (struct strv)STRV_INIT;
	int rc = r.ks ? read_manifest(&r, err) : perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; rc >= 0 && i < r.nslots; i++) {
		struct slot *s = &r.slots[i];
		if (!s->shared)
			continue;
		slot_read(&r, s);
		strv_add(&r.out.shared_layers, s->name);
		if (s->layer)
			copy_hits(&r.out.shared_keys, &s->layer->keys);
	}
	for (size_t i = 0; rc >= 0 && i < r.out.n; i++)
		node_pass(&r, i);
	if (rc >= 0)
		rc = out_files(&r, err);
	bool oom = r.out.shared_keys.oom || r.out.out_keys.oom || r.out.operator_keys.oom || r.out.shared_layers.oom;
	for (size_t i = 0; i < r.out.n; i++)
		oom |= r.out.nodes[i].keys.oom;
	if (rc >= 0 && (oom || audit_keys_index(&r.out) < 0))
		rc = perr_set(err, -ENOMEM, "out of memory");
	if (rc >= 0) {
		struct audit_subject base = { AUDIT_BASE, "base", NULL, &r.out, 0 };
		struct audit_subject out = { AUDIT_OUT, "OUT", NULL, &r.out, 0 };
		run_checks(&r, &base, true, 0);
		for (size_t i = 0; i < r.out.n; i++) {
			struct audit_subject node = { AUDIT_NODE, r.out.nodes[i].name, NULL, &r.out, i };
			run_checks(&r, &node, true, i + 1);
		}
		run_checks(&r, &out, true, r.out.n + 1);
		audit_report_sort(rep);
		if (rep->oom)
			rc = perr_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < r.nslots; i++) {
		slot_drop(&r.slots[i]);
		free(r.slots[i].name);
	}
	free(r.slots);
	out_free(&r.out);
	keyscan_free(r.ks);
	return rc;
}
