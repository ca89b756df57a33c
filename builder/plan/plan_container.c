/* plan_container: a container from its draft (flags, arguments, binds,
 * environment), RKE's default flags for the version and the user's
 * extra_args/binds/env for its service, the way RKE renders them: flags
 * sorted, the user's overriding RKE's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/system_images.h"
#include "plan/plan_model.h"

void flags_set(struct flags *f, const char *k, const char *v)
{
	for (size_t i = 0; i < f->kv.n; i++)
		if (!strcmp(f->kv.v[i].key, k)) {
			char *nv = strdup(v);
			if (!nv) {
				f->oom = true;
				return;
			}
			free(f->kv.v[i].val);
			f->kv.v[i].val = nv;
			return;
		}
	struct cfg_kv *p = realloc(f->kv.v, (f->kv.n + 1) * sizeof(*p));
	if (!p) {
		f->oom = true;
		return;
	}
	f->kv.v = p;
	p[f->kv.n].key = strdup(k);
	p[f->kv.n].val = strdup(v);
	if (!p[f->kv.n].key || !p[f->kv.n].val) {
		free(p[f->kv.n].key);
		free(p[f->kv.n].val);
		f->oom = true;
		return;
	}
	f->kv.n++;
}

void flags_del(struct flags *f, const char *k)
{
	for (size_t i = 0; i < f->kv.n; i++)
		if (!strcmp(f->kv.v[i].key, k)) {
			free(f->kv.v[i].key);
			free(f->kv.v[i].val);
			memmove(&f->kv.v[i], &f->kv.v[i + 1], (f->kv.n - i - 1) * sizeof(*f->kv.v));
			f->kv.n--;
			return;
		}
}

const char *flags_get(const struct flags *f, const char *k)
{
	return cfg_kv_get(&f->kv, k);
}

void flags_table_defaults(struct plan *p, struct flags *f, enum k8s_component comp)
{
	const char *name, *value;
	for (size_t i = 0; k8s_flag_at(p->c->k8s_flags, comp, i, &name, &value) == 0; i++) {
		if (*value)
			flags_set(f, name, value);
		else
			flags_del(f, name);
	}
}

void flags_setf(struct flags *f, const char *k, const char *fmt, ...)
{
	va_list ap;
	char *str = NULL;
	va_start(ap, fmt);
	int r = vasprintf(&str, fmt, ap);
	va_end(ap);
	if (r < 0) {
		f->oom = true;
		return;
	}
	flags_set(f, k, str);
	free(str);
}

void flags_set_all(struct flags *f, const struct flag *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		flags_set(f, v[i].key, v[i].val);
}

void flags_cloud_provider(struct flags *f, const struct cluster *c)
{
	if (c->cloud_provider_name && *c->cloud_provider_name)
		flags_set(f, "cloud-provider", c->cloud_provider_name);
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct cfg_kv *)a)->key, ((const struct cfg_kv *)b)->key);
}

/* Applies the service's extra_args (override) and extra_args_array, appends
 * the result to out and empties f. */
static void flags_render(struct flags *f, const struct cfg_service *svc, struct strv *out)
{
	for (size_t i = 0; svc && i < svc->extra_args.n; i++)
		flags_set(f, svc->extra_args.v[i].key, svc->extra_args.v[i].val);
	if (f->kv.n > 1)
		qsort(f->kv.v, f->kv.n, sizeof(*f->kv.v), cmp_kv);
	for (size_t i = 0; i < f->kv.n; i++)
		strv_addf(out, "--%s=%s", f->kv.v[i].key, f->kv.v[i].val);
	for (size_t i = 0; svc && i < svc->extra_args_array.n; i++)
		for (size_t j = 0; j < svc->extra_args_array.vals[i].n; j++)
			strv_addf(out, "--%s=%s", svc->extra_args_array.keys[i],
				  svc->extra_args_array.vals[i].v[j]);
	for (size_t i = 0; i < f->kv.n; i++) {
		free(f->kv.v[i].key);
		free(f->kv.v[i].val);
	}
	free(f->kv.v);
	out->oom |= f->oom;
	*f = (struct flags){ 0 };
}

void plan_container_free(struct plan_container *ct)
{
	free(ct->name);
	free(ct->image);
	free(ct->user);
	strv_free(ct->args);
	strv_free(ct->binds);
	strv_free(ct->env);
}

/* How RKE runs each container (cluster/plan.go): the component's binary
 * before the flags (none: the arguments are the whole command, as
 * nginx-proxy's and RKE's tools'); the kubelet and kube-proxy privileged,
 * seeing the host's processes and devices; all on the host's network,
 * restarted whenever they stop. */
static const struct runtime {
	const char *name, *binary;
	bool privileged, host_pid;
} runtimes[] = {
	{ "etcd", "etcd", false, false },
	{ "kube-apiserver", "kube-apiserver", false, false },
	{ "kube-controller-manager", "kube-controller-manager", false, false },
	{ "kube-scheduler", "kube-scheduler", false, false },
	{ "kubelet", "kubelet", true, true },
	{ "kube-proxy", "kube-proxy", true, true },
};

static void set_runtime(struct plan_container *ct)
{
	ct->network_mode = "host";
	ct->pid_mode = "private";
	ct->restart = "always";
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (!strcmp(runtimes[i].name, ct->name)) {
			ct->binary = runtimes[i].binary;
			ct->privileged = runtimes[i].privileged;
			ct->pid_mode = runtimes[i].host_pid ? "host" : "private";
		}
}

void pn_container(struct plan *p, struct pnode *pn, const char *name, const char *image_key,
		  const struct cfg_service *svc, struct ct_draft *d)
{
	struct strv args = STRV_INIT;
	flags_render(&d->flags, svc, &args);
	for (size_t i = 0; i < d->args.n; i++)
		strv_add(&args, d->args.v[i]);
	args.oom |= d->args.oom;
	strv_clear(&d->args);
	for (size_t i = 0; svc && i < svc->extra_binds.n; i++)
		strv_add(&d->binds, svc->extra_binds.v[i]);
	for (size_t i = 0; svc && i < svc->extra_env.n; i++)
		strv_add(&d->env, svc->extra_env.v[i]);
	struct plan_container ct = {
		.name = strdup(name),
		.image = cfg_system_image(p->c, image_key),
		.source = !strcmp(image_key, "etcd") && cfg_etcd_bundled(p->c) ? "bundled" : "registry",
		.user = d->user ? strdup(d->user) : NULL,
		.args = strv_steal(&args),
		.binds = strv_steal(&d->binds),
		.env = strv_steal(&d->env),
	};
	struct plan_container *v = realloc(pn->ct, (pn->nct + 1) * sizeof(*v));
	if (v)
		pn->ct = v;
	if (!v || !ct.name || !ct.image || (d->user && !ct.user) || !ct.args || !ct.binds || !ct.env) {
		p->oom = true;
		plan_container_free(&ct);
		return;
	}
	set_runtime(&ct);
	v[pn->nct++] = ct;
}
