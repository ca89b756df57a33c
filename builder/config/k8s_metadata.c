/* k8s_metadata: RKE's data.json into a version table (k8s_metadata.h).
 * What is kept, and how versions are compared and ordered, follows
 * tools/gen-k8s-versions, so the same data gives the same table. */
#include "config/k8s_metadata.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "components/digest.h"
#include "config/k8s_table.h"
#include "json.h"
#include "strbuf.h"

/* KDM's service-options names, in the order of enum k8s_component. */
static const char *const component_keys[K8S_NCOMPONENTS] = {
	"etcd", "kubeapi", "kubeController", "scheduler", "kubelet", "kubeproxy",
};

struct loaded {
	struct k8s_data d;
	char *pool;
	uint32_t *image_keys, *images;
	struct k8s_version *versions;
	struct k8s_flag *flags;
	struct k8s_options *options;
	char *name, *file;
	char sha256[DIGEST_HEX_LEN + 1];
};

static struct loaded *in_use;

/* What a load builds up; errors carry the file and the key. */
struct ld {
	const char *path;
	struct perr *err;
	struct strbuf pool;
};

static int bad(struct ld *l, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(struct ld *l, const char *key, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	int r = perr_setat(l->err, -EINVAL, l->path, 0, 0, "%s: %s", key, msg ? msg : "invalid");
	free(msg);
	return r;
}

static uint32_t intern(struct ld *l, const char *s)
{
	if (!s || !*s)
		return 0;
	size_t at = l->pool.len;
	sb_add(&l->pool, s, strlen(s) + 1);
	return at > UINT32_MAX ? (l->pool.err = -E2BIG, 0) : (uint32_t)at;
}

static const char *type_name(const struct json *v)
{
	static const char *const names[] = { "null", "a boolean", "a number", "a string", "an array",
					     "an object" };
	return names[v->type];
}

/* The member key of obj, which must be an object when present; *ret NULL
 * when absent and optional. */
static int member_object(struct ld *l, const struct json *obj, const char *key, bool required,
			 const struct json **ret)
{
	const struct json *v = json_get(obj, key);
	*ret = v;
	if (!v && required)
		return bad(l, key, "missing (RKE's data.json has it: is this the right file?)");
	if (v && v->type != JSON_OBJ)
		return bad(l, key, "expected an object, not %s", type_name(v));
	return 0;
}

/* One token of natural order: a run of digits, or of other characters
 * than digits, '.' and '-' (gen-k8s-versions' natural()). */
static const char *token(const char *s, const char **start, size_t *len, bool *digits)
{
	while (*s == '.' || *s == '-')
		s++;
	if (!*s)
		return NULL;
	*start = s;
	*digits = *s >= '0' && *s <= '9';
	while (*s && *s != '.' && *s != '-' && (*s >= '0' && *s <= '9') == *digits)
		s++;
	*len = (size_t)(s - *start);
	return s;
}

static int natural_cmp(const char *a, const char *b)
{
	for (;;) {
		const char *sa, *sb;
		size_t na, nb;
		bool da, db;
		a = token(a, &sa, &na, &da);
		b = token(b, &sb, &nb, &db);
		if (!a || !b)
			return !a && !b ? 0 : !a ? -1 : 1;
		if (da != db)
			return da ? -1 : 1;
		if (da) {
			while (na > 1 && *sa == '0')
				sa++, na--;
			while (nb > 1 && *sb == '0')
				sb++, nb--;
			if (na != nb)
				return na < nb ? -1 : 1;
		}
		int c = strncmp(sa, sb, na < nb ? na : nb);
		if (c || na != nb)
			return c ? c : na < nb ? -1 : 1;
	}
}

/* RKE's comparison of two RKE versions (gen-k8s-versions'
 * rke_version_cmp); -2 when v is not one. */
static int rke_cmp(const char *a, const char *b)
{
	long n[2][4] = { { 0 } };
	const char *pre[2];
	const char *s[2] = { a, b };
	for (int k = 0; k < 2; k++) {
		const char *p = s[k] + (*s[k] == 'v');
		for (int i = 0;; i++) {
			char *end;
			if (i == 4 || *p < '0' || *p > '9')
				return -2;
			n[k][i] = strtol(p, &end, 10);
			p = end;
			if (*p != '.')
				break;
			p++;
		}
		if (*p && *p != '-')
			return -2;
		pre[k] = *p ? p + 1 : "";
	}
	for (int i = 0; i < 4; i++)
		if (n[0][i] != n[1][i])
			return n[0][i] < n[1][i] ? -1 : 1;
	if (!strcmp(pre[0], pre[1]))
		return 0;
	if (!*pre[0] || !*pre[1])
		return !*pre[0] ? 1 : -1;
	return natural_cmp(pre[0], pre[1]) < 0 ? -1 : 1;
}

/* K8sVersionInfo.<key>.<field>: a version, or NULL when not set. */
static int info_field(struct ld *l, const struct json *info, const char *key, const char *field,
		      const char **ret)
{
	const struct json *vi = info ? json_get(info, key) : NULL;
	const struct json *f = vi && vi->type == JSON_OBJ ? json_get(vi, field) : NULL;
	*ret = NULL;
	if (vi && vi->type != JSON_OBJ && vi->type != JSON_NULL)
		return bad(l, "K8sVersionInfo", "%s: expected an object, not %s", key, type_name(vi));
	if (!f || f->type == JSON_NULL || (f->type == JSON_STR && !*f->str))
		return 0;
	if (f->type != JSON_STR || rke_cmp(f->str, f->str) == -2)
		return bad(l, "K8sVersionInfo", "%s.%s: expected an RKE version (\"1.5.99\")", key, field);
	*ret = f->str;
	return 0;
}

struct kept {
	const struct json *images;
	const char *last_rke;
	size_t order;
};

static int kept_cmp(const void *a, const void *b)
{
	const struct kept *x = a, *y = b;
	int c = natural_cmp(x->images->key, y->images->key);
	return c ? c : x->order < y->order ? -1 : x->order > y->order;
}

/* The versions RKE keeps (as gen-k8s-versions: neither deprecated nor too
 * new for the release followed), with their maxRKEVersion, sorted. */
static int keep_versions(struct ld *l, const struct json *all, const struct json *info,
			 struct kept **ret, size_t *ret_n)
{
	size_t n = 0, cap = 0;
	struct kept *v = NULL;
	int r = 0;
	for (const struct json *e = all->child; e && !r; e = e->next) {
		const char *dep, *min, *top;
		if (e->type != JSON_OBJ)
			r = bad(l, "K8sVersionRKESystemImages", "%s: expected an object of images, not %s",
				e->key, type_name(e));
		if (!r)
			r = info_field(l, info, e->key, "deprecateRKEVersion", &dep);
		if (!r)
			r = info_field(l, info, e->key, "minRKEVersion", &min);
		if (r || (dep && rke_cmp(k8s_rke_release_name, dep) >= 0) ||
		    (min && rke_cmp(k8s_rke_release_name, min) < 0))
			continue;
		const char *dot = strchr(e->key, '.');
		const char *second = dot ? strchr(dot + 1, '.') : NULL;
		char *minor = dot ? strndup(e->key, second ? (size_t)(second - e->key) : strlen(e->key)) : NULL;
		r = dot && !minor ? perr_set(l->err, -ENOMEM, "out of memory") :
		    info_field(l, info, minor ? minor : "", "maxRKEVersion", &top);
		free(minor);
		if (r)
			break;
		if (n == cap) {
			struct kept *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));
			if (!nv) {
				r = perr_set(l->err, -ENOMEM, "out of memory");
				break;
			}
			v = nv;
		}
		v[n] = (struct kept){ e, top && rke_cmp(k8s_rke_release_name, top) > 0 ? top : NULL, n };
		n++;
	}
	if (r < 0) {
		free(v);
		return r;
	}
	if (n)
		qsort(v, n, sizeof(*v), kept_cmp);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* The images row of one version, in the order of the embedded image keys;
 * image keys paddock does not use are ignored, as RKE ignores unknown ones. */
static int images_row(struct ld *l, const struct json *imgs, uint32_t *row)
{
	const struct k8s_data *e = &k8s_embedded;
	for (size_t k = 0; k < e->nimage_keys; k++) {
		const char *jk = e->pool + e->image_json_keys[k];
		const struct json *img = json_get(imgs, jk);
		row[k] = 0;
		if (!img || img->type == JSON_NULL)
			continue;
		if (img->type != JSON_STR)
			return bad(l, "K8sVersionRKESystemImages", "%s.%s: expected an image name, not %s",
				   imgs->key, jk, type_name(img));
		row[k] = intern(l, img->str);
	}
	return 0;
}

static int flag_cmp(const void *a, const void *b)
{
	const struct json *const *x = a, *const *y = b;
	return strcmp((*x)->key, (*y)->key);
}

/* One K8sVersionServiceOptions entry: per component its flags, sorted. */
static int options_row(struct ld *l, const struct json *o, struct k8s_options *row,
		       struct k8s_flag **flags, size_t *nflags, size_t *cap)
{
	if (o->type != JSON_OBJ && o->type != JSON_NULL)
		return bad(l, "K8sVersionServiceOptions", "%s: expected an object, not %s", o->key,
			   type_name(o));
	row->key = intern(l, o->key);
	for (int c = 0; c < K8S_NCOMPONENTS; c++) {
		const struct json *m = o->type == JSON_OBJ ? json_get(o, component_keys[c]) : NULL;
		const struct json *v[256];
		size_t n = 0;
		row->first[c] = 0;
		row->count[c] = 0;
		if (!m || m->type == JSON_NULL)
			continue;
		if (m->type != JSON_OBJ)
			return bad(l, "K8sVersionServiceOptions", "%s.%s: expected an object of flags, "
				   "not %s", o->key, component_keys[c], type_name(m));
		for (const struct json *f = m->child; f; f = f->next) {
			if (n == 255)
				return bad(l, "K8sVersionServiceOptions", "%s.%s: more than 255 flags",
					   o->key, component_keys[c]);
			if (f->type != JSON_STR)
				return bad(l, "K8sVersionServiceOptions", "%s.%s.%s: expected a string, "
					   "not %s", o->key, component_keys[c], f->key, type_name(f));
			v[n++] = f;
		}
		qsort(v, n, sizeof(*v), flag_cmp);
		if (*nflags + n > *cap) {
			size_t ncap = (*nflags + n) * 2;
			struct k8s_flag *nf = realloc(*flags, ncap * sizeof(**flags));
			if (!nf)
				return perr_set(l->err, -ENOMEM, "out of memory");
			*flags = nf;
			*cap = ncap;
		}
		row->first[c] = (uint32_t)*nflags;
		row->count[c] = (uint8_t)n;
		for (size_t i = 0; i < n; i++)
			(*flags)[(*nflags)++] = (struct k8s_flag){ intern(l, v[i]->key), intern(l, v[i]->str) };
	}
	return 0;
}

static void loaded_free(struct loaded *t)
{
	if (!t)
		return;
	free(t->pool);
	free(t->image_keys);
	free(t->images);
	free(t->versions);
	free(t->flags);
	free(t->options);
	free(t->name);
	free(t->file);
	free(t);
}

/* The table of a parsed data.json. */
static int build(struct ld *l, const struct json *root, struct loaded *t)
{
	const struct json *all, *opts, *info, *defs;
	const struct k8s_data *e = &k8s_embedded;
	if (root->type != JSON_OBJ)
		return bad(l, "(top level)", "expected an object (RKE's data.json), not %s", type_name(root));
	int r = member_object(l, root, "K8sVersionRKESystemImages", true, &all);
	if (!r)
		r = member_object(l, root, "K8sVersionServiceOptions", true, &opts);
	if (!r)
		r = member_object(l, root, "K8sVersionInfo", false, &info);
	if (!r)
		r = member_object(l, root, "RKEDefaultK8sVersions", true, &defs);
	if (r)
		return r;
	const char *def = json_str_at(defs, "default");
	if (!def)
		return bad(l, "RKEDefaultK8sVersions", "default: missing, or not a string");
	struct kept *v = NULL;
	size_t n = 0, nopts = 0, nflags = 0, fcap = 0;
	if ((r = keep_versions(l, all, info, &v, &n)))
		return r;
	for (const struct json *o = opts->child; o; o = o->next)
		nopts++;
	sb_add(&l->pool, "", 1);
	t->image_keys = calloc(e->nimage_keys, sizeof(*t->image_keys));
	t->images = calloc(n * e->nimage_keys + 1, sizeof(*t->images));
	t->versions = calloc(n + 1, sizeof(*t->versions));
	t->options = calloc(nopts + 1, sizeof(*t->options));
	if (!t->image_keys || !t->images || !t->versions || !t->options)
		r = perr_set(l->err, -ENOMEM, "out of memory");
	for (size_t k = 0; !r && k < e->nimage_keys; k++)
		t->image_keys[k] = intern(l, e->pool + e->image_keys[k]);
	bool def_kept = false;
	for (size_t i = 0; !r && i < n; i++) {
		t->versions[i] = (struct k8s_version){ intern(l, v[i].images->key), intern(l, v[i].last_rke) };
		r = images_row(l, v[i].images, t->images + i * e->nimage_keys);
		if (!strcmp(v[i].images->key, def)) {
			def_kept = true;
			t->d.default_version = t->versions[i].name;
		}
	}
	if (!r && !def_kept)
		r = bad(l, "RKEDefaultK8sVersions", "default: %s is not a version of "
			"K8sVersionRKESystemImages that RKE keeps", def);
	size_t i = 0;
	for (const struct json *o = opts->child; !r && o; o = o->next)
		r = options_row(l, o, &t->options[i++], &t->flags, &nflags, &fcap);
	free(v);
	if (!r && l->pool.err)
		r = perr_set(l->err, l->pool.err, "out of memory");
	if (r)
		return r;
	t->pool = sb_steal(&l->pool);
	t->d = (struct k8s_data){
		.pool = t->pool, .default_version = t->d.default_version,
		.nimage_keys = e->nimage_keys, .image_keys = t->image_keys,
		.image_json_keys = NULL, .nversions = n, .versions = t->versions,
		.images = t->images, .flags = t->flags, .noptions = nopts, .options = t->options,
		.name = t->name, .file = t->file, .sha256 = t->sha256,
	};
	return 0;
}

static int read_all(const char *path, char **ret, size_t *ret_len, struct perr *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return perr_setat(err, -errno, path, 0, 0, "cannot open the version data: %s", strerror(errno));
	struct strbuf sb = { .max = K8S_METADATA_MAX_BYTES };
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && !sb.err)
		sb_add(&sb, buf, n);
	int bad_read = ferror(f);
	fclose(f);
	if (bad_read || sb.err) {
		sb_free(&sb);
		return bad_read ? perr_setat(err, -EIO, path, 0, 0, "cannot read the version data") :
		       sb.err == -E2BIG ? perr_setat(err, -EFBIG, path, 0, 0, "larger than %u MiB: not RKE's "
						     "data.json", K8S_METADATA_MAX_BYTES >> 20) :
		       perr_set(err, -ENOMEM, "out of memory");
	}
	*ret_len = sb.len;
	*ret = sb.s ? sb.s : strdup("");
	return *ret ? 0 : perr_set(err, -ENOMEM, "out of memory");
}

int k8s_metadata_load(const char *path, struct perr *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r = read_all(path, &buf, &len, err);
	if (r < 0)
		return r;
	struct loaded *t = calloc(1, sizeof(*t));
	struct json *root = NULL;
	struct perr jerr = PERR_INIT;
	if (!t || !(t->file = strdup(path)) || asprintf(&t->name, "the version data in %s", path) < 0) {
		if (t)
			t->name = NULL;
		r = perr_set(err, -ENOMEM, "out of memory");
	} else if ((r = json_parse(buf, len, &root, &jerr)) < 0) {
		/* the parser says where it stopped: at the end, the file was cut */
		const char *at = jerr.msg ? strstr(jerr.msg, " at offset ") : NULL;
		bool cut = len && at && strtoull(at + 11, NULL, 10) >= len;
		r = perr_setat(err, r, path, 0, 0, "not RKE's data.json: %s%s", jerr.msg ? jerr.msg : "invalid JSON",
			       cut ? " (the file is cut short)" : "");
	} else {
		digest_buf(buf, len, t->sha256);
		struct ld l = { path, err, STRBUF_INIT };
		r = build(&l, root, t);
		sb_free(&l.pool);
	}
	perr_clear(&jerr);
	json_free(root);
	free(buf);
	if (r < 0) {
		loaded_free(t);
		return r;
	}
	k8s_metadata_unload();
	in_use = t;
	k8s_data_use(&t->d);
	return 0;
}

void k8s_metadata_unload(void)
{
	k8s_data_use(NULL);
	loaded_free(in_use);
	in_use = NULL;
}
