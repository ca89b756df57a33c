#include "config/config_schema.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/schema.h"
#include "config/template.h"

/* --- scalar resolution (gopkg.in/yaml.v2 resolve.go) ---------------------- */

bool yscalar_bool(const struct ynode *n, bool *out)
{
	static const char *const yes[] = { "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE",
					   "on", "On", "ON", NULL };
	static const char *const no[] = { "n", "N", "no", "No", "NO", "false", "False", "FALSE",
					  "off", "Off", "OFF", NULL };
	if (!n || n->kind != Y_SCALAR || !n->plain)
		return false;
	for (int i = 0; yes[i]; i++)
		if (!strcmp(n->val, yes[i]))
			return *out = true, true;
	for (int i = 0; no[i]; i++)
		if (!strcmp(n->val, no[i]))
			return *out = false, true;
	return false;
}

bool yscalar_int(const struct ynode *n, long long *out)
{
	if (!n || n->kind != Y_SCALAR || !n->plain || n->len == 0 || n->len > 80)
		return false;
	char buf[96];
	size_t w = 0;
	for (size_t i = 0; i < n->len; i++)
		if (n->val[i] != '_')
			buf[w++] = n->val[i];
	buf[w] = '\0';
	const char *p = buf;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;   /* Go's ParseInt(s, 0, 64), which yaml.v2 uses */
	else if (p[0] == '0' && p[1])
		base = 8, p += 1;
	if (!*p)
		return false;
	unsigned long long v = 0;
	for (; *p; p++) {
		int d;
		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			return false;
		if (d >= base)
			return false;
		if (v > (ULLONG_MAX - (unsigned)d) / (unsigned)base)
			return false;
		v = v * (unsigned)base + (unsigned)d;
	}
	if (!neg && v > (unsigned long long)LLONG_MAX)
		return false;
	if (neg && v > (unsigned long long)LLONG_MAX + 1)
		return false;
	*out = neg ? (long long)(0 - v) : (long long)v;
	return true;
}

static bool yscalar_float(const struct ynode *n)
{
	if (!n || n->kind != Y_SCALAR || !n->plain || n->len == 0)
		return false;
	long long i;
	if (yscalar_int(n, &i))
		return true;
	char *end;
	errno = 0;
	(void)strtod(n->val, &end);
	return *end == '\0' && errno == 0;
}

/* --- suggestions ---------------------------------------------------------- */

static void norm(const char *s, char *out, size_t cap)
{
	size_t w = 0;
	for (; *s && w + 1 < cap; s++)
		if (*s != '_' && *s != '-')
			out[w++] = (char)tolower((unsigned char)*s);
	out[w] = '\0';
}

static size_t lev(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	size_t d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < c)
				c = d[i - 2][j - 2] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

const char *schema_suggest(int parent, const char *key)
{
	const struct schema_key *p = &schema_keys[parent];
	char nk[80], nc[80];
	const char *best = NULL;
	size_t bestd = 99;
	if (strlen(key) > 64)
		return NULL;
	norm(key, nk, sizeof(nk));
	for (size_t i = p->first; i < (size_t)p->first + p->count; i++) {
		const char *cand = schema_keys[i].name;
		norm(cand, nc, sizeof(nc));
		if (!strcmp(nk, nc))
			return cand;
		size_t d = lev(nk, nc);
		size_t lim = strlen(nc) <= 4 ? 1 : strlen(nc) <= 8 ? 2 : 3;
		if (d <= lim && d < bestd) {
			bestd = d;
			best = cand;
		}
	}
	return best;
}

/* --- removed and legacy keys ---------------------------------------------- */

struct legacy {
	const char *pattern;    /* dotted schema path of the key; '*' = any one segment */
	const char *msg;
};

static const struct legacy legacy_keys[] = {
	{ "services.kube-api.pod_security_policy",
	  "removed in RKE v1.6 (PodSecurityPolicy is gone since Kubernetes 1.25) and ignored; "
	  "use services.kube-api.pod_security_configuration" },
	{ "rancher_kubernetes_engine_config",
	  "Rancher's cluster export: RKE ignores this block, which holds the RKE keys; use the "
	  "block's content (un-indented, with `nodes:`) as the cluster file" },
	{ "hosts", "pre-release RKE schema (2017), ignored by RKE: nodes are listed under `nodes:` "
		   "with address, user and role" },
	{ "auth", "RKE v0.0.x name, ignored: use `authentication:`" },
	{ "authentication.options", "RKE v0.0.x key, ignored" },
	{ "enforce_docker_version", "existed briefly in 2018 and is ignored: use ignore_docker_version" },
	{ "services.*.version", "pre-release RKE key, ignored: versions come from kubernetes_version "
				"and system_images" },
	{ "services.etcd-snapshot", "not a key, ignored: etcd snapshots are set in "
				    "services.etcd.backup_config" },
	{ "private_registries.username", "not a key, ignored by RKE (the registry login is `user`)" },
	{ "ssh_key_file", "not a key, ignored: did you mean ssh_key_path?" },
	{ "services.kubelet.pod-infra-container-image",
	  "not a key, ignored: use infra_container_image or system_images.pod_infra_container" },
	{ "system_images.*", NULL },  /* *_image names: handled below */
};

static bool seg_match(const char *pat, const char *path)
{
	while (*pat && *path) {
		if (*pat == '*') {
			pat++;
			while (*path && *path != '.')
				path++;
			continue;
		}
		if (*pat != *path)
			return false;
		pat++, path++;
	}
	return !*pat && !*path;
}

/* The warning for a removed or legacy key, "" for none due, NULL when the
 * key is not one. */
static const char *legacy_msg(const char *path, const char *key, const struct ynode *val,
			      char **owned)
{
	*owned = NULL;
	for (size_t i = 0; i < sizeof(legacy_keys) / sizeof(*legacy_keys); i++) {
		bool b;
		if (!legacy_keys[i].msg || !seg_match(legacy_keys[i].pattern, path))
			continue;
		/* `rke config` writes `pod_security_policy: false`: only true means anything */
		if (!strcmp(path, "services.kube-api.pod_security_policy") &&
		    (ynode_is_null(val) || (yscalar_bool(val, &b) && !b)))
			return "";
		return legacy_keys[i].msg;
	}
	size_t kl = strlen(key);
	if (!strncmp(path, "system_images.", 14) && kl > 6 && !strcmp(key + kl - 6, "_image")) {
		if (asprintf(owned, "RKE v0.0.x image name, ignored: use system_images.%.*s",
			     (int)(kl - 6), key) < 0)
			*owned = NULL;
		return *owned;
	}
	return NULL;
}

/* --- suggestions that know their section ------------------------------------ */

/* Names other tools (and RKE's own examples of other sections) use for a
 * key of this section: "section path|key" -> the key meant. */
static const char *const synonyms[][2] = {
	{ "|name", "cluster_name" },
	{ "|version", "kubernetes_version" },
	{ "|k8s_version", "kubernetes_version" },
	{ "nodes|name", "hostname_override" },
	{ "nodes|hostname", "hostname_override" },
	{ "nodes|host", "address" },
	{ "nodes|ip", "address" },
	{ "nodes|ip_address", "address" },
	{ "nodes|public_ip", "address" },
	{ "nodes|private_ip", "internal_address" },
	{ "nodes|internal_ip", "internal_address" },
	{ "nodes|roles", "role" },
	{ "nodes|username", "user" },
	{ "nodes|ssh_user", "user" },
};

const char *schema_synonym(const char *section, const char *key)
{
	size_t sl = section ? strlen(section) : 0;
	for (size_t i = 0; i < sizeof(synonyms) / sizeof(*synonyms); i++) {
		const char *e = synonyms[i][0], *bar = strchr(e, '|');
		if ((size_t)(bar - e) == sl && (!sl || !strncmp(e, section, sl)) && !strcmp(bar + 1, key))
			return synonyms[i][1];
	}
	return NULL;
}

/* Whether key `where`, found in another section, is likely what a key
 * written in section k meant: a section of its own, a top-level key, or
 * one a top-level key belongs in.  A leaf of an unrelated section
 * (cloud_provider.name for a node's `name`) is not. */
static bool related(int k, int where)
{
	const struct schema_key *w = &schema_keys[where];
	bool section = w->type == S_STRUCT || w->type == S_LIST_STRUCT || w->type == S_MAP_STRUCT;
	return section || k == 0 || w->parent == 0;
}

/* --- the walk ------------------------------------------------------------- */

#define MAX_UNKNOWN_WARNINGS 100
#define MAX_TEMPLATE_NOTES 5

struct walk {
	size_t unknown;         /* unknown keys seen; warnings stop at a bound */
	const char *file;
	struct diag_list *diags;
	struct perr *err;
	struct perr tmpl;       /* the first unrendered template: the walk goes on to list the others */
	size_t tmpl_notes;      /* the others; notes stop at a bound */
	char *path;
	size_t len, cap;
};

static int path_push(struct walk *w, const char *fmt, const char *s, size_t idx, size_t *saved)
{
	*saved = w->len;
	char *piece = NULL;
	int n;
	if (s)
		n = asprintf(&piece, fmt, w->len ? "." : "", s);
	else
		n = asprintf(&piece, fmt, idx);
	if (n < 0)
		return -ENOMEM;
	if (w->len + (size_t)n + 1 > w->cap) {
		size_t nc = (w->len + (size_t)n + 1) * 2;
		char *p = realloc(w->path, nc);
		if (!p) {
			free(piece);
			return -ENOMEM;
		}
		w->path = p;
		w->cap = nc;
	}
	memcpy(w->path + w->len, piece, (size_t)n + 1);
	w->len += (size_t)n;
	free(piece);
	return 0;
}

static void path_pop(struct walk *w, size_t saved)
{
	w->len = saved;
	if (w->path)
		w->path[saved] = '\0';
}

static const char *kind_name(const struct ynode *n)
{
	if (n->kind == Y_SEQ)
		return "a list";
	if (n->kind == Y_MAP)
		return "a mapping";
	return n->plain ? "a scalar" : "a quoted string";
}

static int check_template(struct walk *w, const struct ynode *n);

static int type_error(struct walk *w, const struct ynode *n, const char *want)
{
	struct tmpl_hit hit;
	if (n->kind == Y_SCALAR && template_find_in(n->val, n->len, &hit))
		return check_template(w, n);
	if (n->kind == Y_SCALAR) {
		bool cut = n->len > 10;
		return perr_setat(w->err, -EINVAL, w->file, n->line, n->col,
				  "%s: expected %s, got %s `%.*s%s` (RKE: cannot unmarshal)", w->path,
				  want, kind_name(n), cut ? 7 : (int)n->len, n->val, cut ? "..." : "");
	}
	return perr_setat(w->err, -EINVAL, w->file, n->line, n->col,
			  "%s: expected %s, got %s (RKE: cannot unmarshal)", w->path, want,
			  kind_name(n));
}

/* The key a value sits under: "password" of "private_registries[0].password". */
static void last_key(const char *path, char *key, size_t cap)
{
	const char *dot = strrchr(path, '.');
	const char *k = dot ? dot + 1 : path;
	size_t n = strcspn(k, "[");
	snprintf(key, cap, "%.*s", (int)n, k);
}

/* The first template is the error, the others notes; the walk goes on. */
static int check_template(struct walk *w, const struct ynode *n)
{
	struct tmpl_hit hit;
	size_t pos = 0;
	char key[64], show[160];
	last_key(w->path, key, sizeof(key));
	while (n->kind == Y_SCALAR && template_next(n->val, n->len, &pos, &hit)) {
		template_show(&hit, key, show, sizeof(show));
		if (!w->tmpl.code)
			perr_setat(&w->tmpl, -EINVAL, w->file, n->line, n->col, "%s: unrendered template "
				   "%s: render this file with its template tool first", w->path, show);
		else if (++w->tmpl_notes <= MAX_TEMPLATE_NOTES)
			diag_note(w->diags, w->file, n->line, n->col, "%s: unrendered template %s",
				  w->path, show);
		if (template_secret_key(key))
			break;  /* once is enough where nothing is shown */
	}
	return 0;
}

static int check_string(struct walk *w, const struct ynode *n, bool skip_tmpl)
{
	if (n->kind != Y_SCALAR)
		return type_error(w, n, "a string");
	return skip_tmpl ? 0 : check_template(w, n);
}

static int check_node(struct walk *w, const struct ynode *n, int k);

static int check_struct(struct walk *w, const struct ynode *m, int k)
{
	if (ynode_is_null(m))
		return 0;
	if (m->kind != Y_MAP)
		return type_error(w, m, "a mapping");
	for (size_t i = 0; i < m->n; i++) {
		const struct ynode *key = ymap_key(m, i), *val = ymap_val(m, i);
		size_t saved;
		if (path_push(w, "%s%s", key->val, 0, &saved) < 0)
			return perr_set(w->err, -ENOMEM, "out of memory");
		int c = schema_child(k, key->val);
		int r = 0;
		if (c >= 0) {
			r = check_node(w, val, c);
		} else if (++w->unknown > MAX_UNKNOWN_WARNINGS) {
			/* counted; summarised once at the end */
		} else {
			const char *who = schema_keys[k].flags & SCHEMA_PADDOCK ? "paddock" : "RKE";
			char *ppath = schema_path(k), *full = NULL, *owned = NULL;
			if (ppath && asprintf(&full, "%s%s%s", ppath, *ppath ? "." : "", key->val) < 0)
				full = NULL;
			const char *lm = full ? legacy_msg(full, key->val, val, &owned) : NULL;
			const char *sug = ppath ? schema_synonym(ppath, key->val) : NULL;
			if (!sug)
				sug = schema_suggest(k, key->val);
			if (lm && !*lm) {
				/* nothing worth saying */
			} else if (lm) {
				diag_add(w->diags, w->file, key->line, key->col, "%s: %s", w->path, lm);
			} else if (sug) {
				diag_add(w->diags, w->file, key->line, key->col,
					 "%s: unknown key, ignored by %s; did you mean `%s`?", w->path, who,
					 sug);
			} else {
				/* a key that exists elsewhere: a section at the wrong level */
				int where = -1, count = 0;
				for (size_t j = 1; j < schema_nkeys; j++)
					if (!strcmp(schema_keys[j].name, key->val) && (int)j != k) {
						if (!count)
							where = (int)j;
						count++;
					}
				if (where >= 0 && !related(k, where))
					where = -1;
				char *wp = where >= 0 ? schema_path(where) : NULL;
				if (wp && count == 1)
					diag_add(w->diags, w->file, key->line, key->col,
						 "%s: not a key at this level, so %s ignores it (and all it "
						 "contains); did you mean `%s`?", w->path, who, wp);
				else if (wp)
					diag_add(w->diags, w->file, key->line, key->col,
						 "%s: not a key at this level, ignored by %s (it exists under "
						 "other sections, e.g. `%s`)", w->path, who, wp);
				else
					diag_add(w->diags, w->file, key->line, key->col,
						 "%s: unknown key, ignored by %s", w->path, who);
				free(wp);
			}
			free(owned);
			free(full);
			free(ppath);
		}
		path_pop(w, saved);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_list(struct walk *w, const struct ynode *n, int k, int elem)
{
	if (ynode_is_null(n))
		return 0;
	if (n->kind != Y_SEQ)
		return type_error(w, n, "a list");
	for (size_t i = 0; i < n->n; i++) {
		size_t saved;
		if (path_push(w, "[%zu]", NULL, i, &saved) < 0)
			return perr_set(w->err, -ENOMEM, "out of memory");
		const struct ynode *it = n->items[i];
		int r = 0;
		if (elem == S_STRUCT)
			r = check_struct(w, it, k);
		else if (elem == S_STRING)
			r = ynode_is_null(it) ? 0 : check_string(w, it, false);
		else if (elem == S_MAP_STRING) {
			if (!ynode_is_null(it) && it->kind != Y_MAP)
				r = type_error(w, it, "a mapping");
			for (size_t j = 0; r == 0 && it->kind == Y_MAP && j < it->n; j++)
				if (ymap_val(it, j)->kind != Y_SCALAR)
					r = type_error(w, ymap_val(it, j), "a string");
		}
		path_pop(w, saved);
		if (r < 0)
			return r;
	}
	return 0;
}

static int check_node(struct walk *w, const struct ynode *n, int k)
{
	const struct schema_key *s = &schema_keys[k];
	long long iv;
	bool bv;
	switch ((enum schema_type)s->type) {
	case S_STRING:
		if (ynode_is_null(n))
			return 0;
		/* addons is a whole manifest stream: templates there are the user's business */
		return check_string(w, n, s->parent == 0 && !strcmp(s->name, "addons"));
	case S_INT:
		if (ynode_is_null(n) || yscalar_int(n, &iv))
			return 0;
		if (n->kind == Y_SCALAR && n->plain && n->len && strspn(n->val, "+-0123456789_") == n->len)
			return perr_setat(w->err, -ERANGE, w->file, n->line, n->col,
					  "%s: number out of range: %s", w->path, n->val);
		return type_error(w, n, n->kind == Y_SCALAR && !n->plain ? "an integer (no quotes)" : "an integer");
	case S_BOOL:
		if (ynode_is_null(n) || yscalar_bool(n, &bv))
			return 0;
		return type_error(w, n, n->kind == Y_SCALAR && !n->plain ? "a boolean (no quotes)" : "a boolean");
	case S_FLOAT:
		if (ynode_is_null(n) || yscalar_float(n))
			return 0;
		return type_error(w, n, "a number");
	case S_LIST_STRING:
		return check_list(w, n, k, S_STRING);
	case S_LIST_MAP_STRING:
		return check_list(w, n, k, S_MAP_STRING);
	case S_LIST_STRUCT:
		return check_list(w, n, k, S_STRUCT);
	case S_MAP_STRING:
	case S_MAP_LIST_STRING:
	case S_MAP_STRUCT:
		if (ynode_is_null(n))
			return 0;
		if (n->kind != Y_MAP)
			return type_error(w, n, "a mapping");
		for (size_t i = 0; i < n->n; i++) {
			const struct ynode *v = ymap_val(n, i);
			size_t saved;
			if (path_push(w, "%s%s", ymap_key(n, i)->val, 0, &saved) < 0)
				return perr_set(w->err, -ENOMEM, "out of memory");
			int r = 0;
			if (s->type == S_MAP_STRING)
				r = ynode_is_null(v) ? 0 : check_string(w, v, false);
			else if (s->type == S_MAP_LIST_STRING)
				r = check_list(w, v, k, S_STRING);
			else
				r = check_struct(w, v, k);
			path_pop(w, saved);
			if (r < 0)
				return r;
		}
		return 0;
	case S_STRUCT:
		return check_struct(w, n, k);
	case S_ANY:
	default:
		return 0;
	}
}

int config_check_schema(const struct ynode *root, const char *file, struct diag_list *diags,
			struct perr *err)
{
	struct walk w = { .file = file, .diags = diags, .err = err };
	if (!root || ynode_is_null(root))
		return 0;
	if (root->kind != Y_MAP)
		return perr_setat(err, -EINVAL, file, root->line, root->col,
				  "the document must be a mapping of cluster.yml keys, got %s",
				  kind_name(root));
	w.path = calloc(1, 64);
	if (!w.path)
		return perr_set(err, -ENOMEM, "out of memory");
	w.cap = 64;
	int r = check_struct(&w, root, 0);
	free(w.path);
	if (w.tmpl.code) {
		/* it came first in the file, before any error that stopped the walk */
		perr_clear(err);
		*err = w.tmpl;
		r = w.tmpl.code;
		if (w.tmpl_notes > MAX_TEMPLATE_NOTES)
			diag_note(diags, file, 0, 0, "and %zu more unrendered templates",
				  w.tmpl_notes - MAX_TEMPLATE_NOTES);
	}
	if (r == 0 && w.unknown > MAX_UNKNOWN_WARNINGS)
		diag_add(diags, file, 0, 0, "%zu more unknown keys not listed",
			 w.unknown - MAX_UNKNOWN_WARNINGS);
	return r;
}
