#include "image/os_services.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "components/listfile.h"
#include "fsutil.h"
#include "strv.h"
#include "plan/plan.h"

#define ALL_ROLES (PLAN_ROLE_ETCD | PLAN_ROLE_CONTROLPLANE | PLAN_ROLE_WORKER)
#define MAX_FILE (1u << 20)

static const char *const keys[] = { "name", "image", "command", "entrypoint", "user", "privileged",
				     "net", "pid", "ipc", "volumes", "env", "restart", "depends_on",
				     "roles", "health", NULL };

static int at(struct perr *err, const char *file, const yaml_node_t *n, const char *fmt, const char *a,
	      const char *b)
{
	return perr_setat(err, -EINVAL, file, n ? (int)n->start_mark.line + 1 : 0,
			  n ? (int)n->start_mark.column + 1 : 0, fmt, a, b ? b : "");
}

/* Levenshtein distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[32], cur[32];

	if (la >= 31 || lb >= 31)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1, sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			cur[j] = del < ins ? (del < sub ? del : sub) : (ins < sub ? ins : sub);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int get_string(yaml_document_t *doc, const char *file, const char *key, const yaml_node_t *v,
		      char **out, struct perr *err)
{
	const char *s = scalar(v);

	(void)doc;
	if (!s)
		return at(err, file, v, "%s: expected a string%s", key, NULL);
	free(*out);
	*out = strdup(s);
	return *out ? 0 : perr_set(err, -ENOMEM, "out of memory");
}

/* A sequence of scalars (a lone scalar counts as a one-element list). */
static int get_list(yaml_document_t *doc, const char *file, const char *key, const yaml_node_t *v,
		    char ***out, struct perr *err)
{
	size_t n = 0, i = 0;
	char **l;

	if (v->type == YAML_SCALAR_NODE)
		n = 1;
	else if (v->type == YAML_SEQUENCE_NODE)
		n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	else
		return at(err, file, v, "%s: expected a list of strings%s", key, NULL);
	l = calloc(n + 1, sizeof(*l));
	if (!l)
		return perr_set(err, -ENOMEM, "out of memory");
	if (v->type == YAML_SCALAR_NODE) {
		l[i++] = strdup(scalar(v));
	} else {
		for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
			const yaml_node_t *e = yaml_document_get_node(doc, *it);
			if (!scalar(e)) {
				for (size_t k = 0; k < i; k++)
					free(l[k]);
				free(l);
				return at(err, file, e, "%s: expected a string%s", key, NULL);
			}
			l[i++] = strdup(scalar(e));
		}
	}
	for (size_t k = 0; k < i; k++)
		if (!l[k]) {
			for (size_t j = 0; j < i; j++)
				free(l[j]);
			free(l);
			return perr_set(err, -ENOMEM, "out of memory");
		}
	for (char **p = *out; p && *p; p++)
		free(*p);
	free(*out);
	*out = l;
	return 0;
}

static int one_of(const char *file, const char *key, const yaml_node_t *v, const char *const *allowed,
		  struct perr *err)
{
	const char *s = scalar(v);

	for (const char *const *a = allowed; s && *a; a++)
		if (!strcmp(s, *a))
			return 0;
	return at(err, file, v, "%s: unknown value '%s'", key, s ? s : "");
}

static int valid_name(const char *s)
{
	if (!*s || !((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) || strlen(s) > 63)
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(s);
}

static int parse_doc(yaml_document_t *doc, const char *file, struct os_service *o, struct perr *err)
{
	static const char *const nets[] = { "host", "none", "bridge", NULL };
	static const char *const ns[] = { "host", "private", NULL };
	static const char *const restarts[] = { "always", "on-failure", "no", NULL };
	yaml_node_t *root = yaml_document_get_root_node(doc);
	const yaml_node_t *name_node = NULL;
	int r = 0;

	if (!root)
		return perr_setat(err, -EINVAL, file, 1, 1, "empty file: expected a service definition");
	if (root->type != YAML_MAPPING_NODE)
		return at(err, file, root, "expected a mapping of service settings%s%s", "", NULL);
	o->line = (int)root->start_mark.line + 1;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; r == 0 && p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
		const char *k = scalar(kn);
		bool known = false;

		if (!k)
			return at(err, file, kn, "expected a key%s%s", "", NULL);
		for (const char *const *kk = keys; *kk; kk++)
			if (!strcmp(*kk, k))
				known = true;
		if (!known) {
			const char *best = NULL;
			size_t bd = 3;
			for (const char *const *kk = keys; *kk; kk++)
				if (distance(k, *kk) < bd) {
					bd = distance(k, *kk);
					best = *kk;
				}
			if (best)
				return perr_setat(err, -EINVAL, file, (int)kn->start_mark.line + 1,
						  (int)kn->start_mark.column + 1, "unknown key '%s' (did you mean '%s'?)",
						  k, best);
			return at(err, file, kn, "unknown key '%s'%s", k, NULL);
		}
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < p; q++)
			if (!strcmp(scalar(yaml_document_get_node(doc, q->key)) ? scalar(yaml_document_get_node(doc, q->key)) : "", k))
				return at(err, file, kn, "duplicate key '%s'%s", k, NULL);
		if (!strcmp(k, "name")) {
			name_node = v;
			r = get_string(doc, file, k, v, &o->conf.name, err);
			if (r == 0 && !valid_name(o->conf.name))
				r = at(err, file, v, "name: '%s' is not a valid service name ([a-z0-9][a-z0-9_.-]*)", o->conf.name, NULL);
		} else if (!strcmp(k, "image")) {
			o->image_line = (int)v->start_mark.line + 1;
			o->image_col = (int)v->start_mark.column + 1;
			r = get_string(doc, file, k, v, &o->conf.image, err);
		} else if (!strcmp(k, "user")) {
			r = get_string(doc, file, k, v, &o->conf.user, err);
		} else if (!strcmp(k, "health")) {
			struct svc_health h;
			struct perr why = PERR_INIT;
			r = get_string(doc, file, k, v, &o->conf.health, err);
			if (r == 0 && svc_health_parse(o->conf.health, &h, &why) < 0)
				r = at(err, file, v, "health: %s%s", why.msg ? why.msg : "?", NULL);
			else if (r == 0)
				svc_health_free(&h);
			perr_clear(&why);
		} else if (!strcmp(k, "net")) {
			r = one_of(file, k, v, nets, err);
			if (r == 0)
				r = get_string(doc, file, k, v, &o->conf.net, err);
		} else if (!strcmp(k, "pid") || !strcmp(k, "ipc")) {
			r = one_of(file, k, v, ns, err);
			if (r == 0)
				r = get_string(doc, file, k, v, !strcmp(k, "pid") ? &o->conf.pid : &o->conf.ipc, err);
		} else if (!strcmp(k, "restart")) {
			r = one_of(file, k, v, restarts, err);
			if (r == 0)
				svc_restart_parse(scalar(v), &o->conf.restart);
		} else if (!strcmp(k, "privileged")) {
			const char *s = scalar(v);
			if (s && !strcmp(s, "true"))
				o->conf.privileged = true;
			else if (s && !strcmp(s, "false"))
				o->conf.privileged = false;
			else
				r = at(err, file, v, "privileged: expected true or false, not '%s'%s", s ? s : "", NULL);
		} else if (!strcmp(k, "command")) {
			r = get_list(doc, file, k, v, &o->conf.command, err);
		} else if (!strcmp(k, "entrypoint")) {
			r = get_list(doc, file, k, v, &o->conf.entrypoint, err);
		} else if (!strcmp(k, "volumes")) {
			r = get_list(doc, file, k, v, &o->conf.volumes, err);
			for (char **vol = o->conf.volumes; r == 0 && *vol; vol++)
				if ((*vol)[0] != '/' || !strchr(*vol, ':'))
					r = at(err, file, v, "volumes: '%s' is not /SRC:/DST[:ro]%s", *vol, NULL);
		} else if (!strcmp(k, "env")) {
			r = get_list(doc, file, k, v, &o->conf.env, err);
		} else if (!strcmp(k, "depends_on")) {
			r = get_list(doc, file, k, v, &o->conf.depends_on, err);
		} else if (!strcmp(k, "roles")) {
			char **roles = NULL;
			r = get_list(doc, file, k, v, &roles, err);
			o->roles = 0;
			for (char **rl = roles; r == 0 && *rl; rl++) {
				if (!strcmp(*rl, "etcd"))
					o->roles |= PLAN_ROLE_ETCD;
				else if (!strcmp(*rl, "controlplane"))
					o->roles |= PLAN_ROLE_CONTROLPLANE;
				else if (!strcmp(*rl, "worker"))
					o->roles |= PLAN_ROLE_WORKER;
				else
					r = at(err, file, v, "roles: unknown role '%s' (etcd, controlplane, worker)%s", *rl, NULL);
			}
			for (char **rl = roles; rl && *rl; rl++)
				free(*rl);
			free(roles);
		}
	}
	if (r < 0)
		return r;
	if (!o->conf.name)
		return at(err, file, root, "missing key 'name'%s%s", "", NULL);
	if (!o->conf.image)
		return at(err, file, root, "service '%s': missing key 'image'%s", o->conf.name, NULL);
	(void)name_node;
	return 0;
}

static char **empty_list(void)
{
	return calloc(1, sizeof(char *));
}

int os_service_parse(const char *file, const char *buf, size_t len, struct os_service *out,
		     struct perr *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct os_service o = { 0 };
	int r;

	o.roles = ALL_ROLES;
	if (!yaml_parser_initialize(&parser))
		return perr_set(err, -ENOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		r = perr_setat(err, -EINVAL, file, (int)parser.problem_mark.line + 1,
			       (int)parser.problem_mark.column + 1, "%s",
			       parser.problem ? parser.problem : "YAML syntax error");
		yaml_parser_delete(&parser);
		return r;
	}
	r = parse_doc(&doc, file, &o, err);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r == 0) {
		o.file = strdup(file);
		if (!o.conf.user) o.conf.user = strdup("");
		if (!o.conf.health) o.conf.health = strdup("");
		if (!o.conf.net) o.conf.net = strdup("host");
		if (!o.conf.pid) o.conf.pid = strdup("private");
		if (!o.conf.ipc) o.conf.ipc = strdup("private");
		if (!o.conf.command) o.conf.command = empty_list();
		if (!o.conf.entrypoint) o.conf.entrypoint = empty_list();
		if (!o.conf.volumes) o.conf.volumes = empty_list();
		if (!o.conf.env) o.conf.env = empty_list();
		if (!o.conf.depends_on) o.conf.depends_on = empty_list();
		if (!o.file || !o.conf.user || !o.conf.health || !o.conf.net || !o.conf.pid || !o.conf.ipc || !o.conf.command ||
		    !o.conf.entrypoint || !o.conf.volumes || !o.conf.env || !o.conf.depends_on)
			r = perr_set(err, -ENOMEM, "out of memory");
	}
	if (r < 0) {
		svcconf_free(&o.conf);
		free(o.file);
		return r;
	}
	*out = o;
	return 0;
}

static int find(const struct os_services *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].conf.name, name))
			return (int)i;
	return -1;
}

/* Depth-first ordering; state 1 = on the current path (a cycle), 2 = done. */
static int visit(struct os_services *s, size_t i, unsigned char *state, size_t *order, size_t *no,
		 struct perr *err)
{
	if (state[i] == 2)
		return 0;
	if (state[i] == 1)
		return perr_setat(err, -ELOOP, s->v[i].file, s->v[i].line, 1,
				  "depends_on: service '%s' depends on itself through a cycle", s->v[i].conf.name);
	state[i] = 1;
	for (char **d = s->v[i].conf.depends_on; *d; d++) {
		int r = visit(s, (size_t)find(s, *d), state, order, no, err);
		if (r < 0)
			return r;
	}
	state[i] = 2;
	order[(*no)++] = i;
	return 0;
}

int os_services_check(struct os_services *s, const char *const *images, struct perr *err)
{
	unsigned char *state;
	size_t *order, no = 0;
	struct os_service *sorted;
	int r = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct os_service *o = &s->v[i];
		bool have = false;
		if (find(s, o->conf.name) != (int)i)
			return perr_setat(err, -EEXIST, o->file, o->line, 1, "service '%s' is defined twice (also in %s)",
					  o->conf.name, s->v[find(s, o->conf.name)].file);
		for (const char *const *im = images; im && *im; im++)
			if (!strcmp(*im, o->conf.image))
				have = true;
		if (!have)
			return perr_setat(err, -ENOENT, o->file, o->image_line, o->image_col,
					  "image: '%s' is not a bundled image", o->conf.image);
		for (char **d = o->conf.depends_on; *d; d++)
			if (find(s, *d) < 0)
				return perr_setat(err, -ENOENT, o->file, o->line, 1,
						  "depends_on: unknown service '%s'", *d);
	}
	state = calloc(s->n + 1, 1);
	order = calloc(s->n + 1, sizeof(*order));
	sorted = calloc(s->n + 1, sizeof(*sorted));
	if (!state || !order || !sorted) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; r == 0 && i < s->n; i++)
		r = visit(s, i, state, order, &no, err);
	if (r == 0) {
		for (size_t i = 0; i < s->n; i++)
			sorted[i] = s->v[order[i]];
		memcpy(s->v, sorted, s->n * sizeof(*sorted));
	}
out:
	free(state);
	free(order);
	free(sorted);
	return r;
}

int os_services_load(const char *dir, const char *const *images, struct os_services *out,
		     struct perr *err)
{
	struct os_services s = { 0 };
	char **names = NULL;
	size_t nn = 0;
	int r = dir_list_sorted(dir, ".yml", &names, &nn, err);

	if (r < 0)
		return r;
	if (r == 0 && !(s.v = calloc(nn + 1, sizeof(*s.v))))
		r = perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < nn; i++) {
		char *path = NULL, *buf = NULL;
		size_t len = 0;
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
		if ((r = read_file(path, MAX_FILE, &buf, &len, err)) == 0 &&
		    (r = os_service_parse(path, buf, len, &s.v[s.n], err)) == 0)
			s.n++;
		free(buf);
		free(path);
	}
	strv_free(names);
	if (r == 0)
		r = os_services_check(&s, images, err);
	if (r < 0) {
		os_services_free(&s);
		return r;
	}
	*out = s;
	return 0;
}

int os_services_bake(const struct os_services *s, unsigned roles, struct baked_file **ret,
		     size_t *ret_n, struct perr *err)
{
	struct baked_file *v = calloc(s->n + 1, sizeof(*v));
	size_t n = 0, seq = 0;
	int r = 0, width = 2;

	/* NN as wide as the last one needs, so names sort as the numbers do
	 * (100-x after 90-y) */
	for (size_t last = s->n * 10; last >= 100; last /= 10)
		width++;
	if (!v)
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < s->n; i++) {
		const struct os_service *o = &s->v[i];
		struct nodecfg c = { 0 };
		if (!(o->roles & roles))
			continue;
		for (char **d = o->conf.depends_on; *d; d++) {
			int j = find(s, *d);
			if (!(s->v[j].roles & roles))
				r = perr_setat(err, -EINVAL, o->file, o->line, 1,
					       "service '%s' depends on '%s', which this node's roles do not get",
					       o->conf.name, *d);
		}
		if (r < 0)
			break;
		seq += 10;
		if (svcconf_to_nodecfg(&o->conf, &c) < 0 ||
		    asprintf(&v[n].path, "/etc/paddock/services/%0*zu-%s.conf", width, seq, o->conf.name) < 0 ||
		    !(v[n].data = nodecfg_serialize(&c, &v[n].len)))
			r = perr_set(err, -ENOMEM, "out of memory");
		nodecfg_free(&c);
		n++;
	}
	if (r < 0) {
		baked_files_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void baked_files_free(struct baked_file *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].data);
	}
	free(v);
}

void os_services_free(struct os_services *s)
{
	for (size_t i = 0; i < s->n; i++) {
		svcconf_free(&s->v[i].conf);
		free(s->v[i].file);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
