/* plan_model: the plan's inside, private to builder/plan/.  Files depend
 * one way: plan.c (nodes, shared values) -> plan_etcd.c,
 * plan_controlplane.c, plan_worker.c (one role each) -> plan_layer.c
 * (certificates, files) -> plan_container.c (flag maps, containers).
 * Everything else goes through plan/plan.h. */
#ifndef PADDOCK_PLAN_MODEL_H
#define PADDOCK_PLAN_MODEL_H

#include <stdbool.h>
#include <string.h>

#include "config/config.h"
#include "config/netaddr.h"
#include "config/system_images.h"
#include "plan/plan.h"
#include "strv.h"

#define SSL_DIR "/etc/kubernetes/ssl"
/* the bind nearly every container has; takes plan_prefix() */
#define ETC_KUBERNETES_BIND "%s/etc/kubernetes:/etc/kubernetes:z"

struct pnode {
	struct plan_node pub;
	struct plan_container *ct;
	size_t nct;
	struct plan_cert *certs;
	size_t ncerts;
	struct plan_file *files;
	size_t nfiles;
};

struct plan {
	struct cluster *c;
	struct plan_build_opts opts;
	struct pnode *nodes;
	size_t n;
	char *initial_cluster;
	char *etcd_servers;
	char *etcd_user;
	char **sans_etcd;       /* shared by every etcd node's certificate */
	char **sans_api;        /* shared by every control plane node's */
	char *cp_hosts;         /* control plane internal addresses, comma-separated */
	char *default_registry; /* host[:port] of the is_default private registry, or NULL */
	bool cri_dockerd;       /* the kubelet talks to cri-dockerd (1.24 and later, or asked for) */
	bool oom;               /* an allocation failed: the plan is dropped */
};

/* Formats a string; NULL (and p->oom set) when out of memory. */
char *plan_strf(struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "<stem>-10-0-0-5" for address 10.0.0.5, as RKE names per-host certificates. */
char *plan_host_stem(struct plan *p, const char *stem, const char *address);

static inline bool plan_is_ip(const char *s)
{
	struct ipaddr a;
	return s && ip_parse(s, &a);
}

static inline const char *plan_prefix(const struct cluster *c)
{
	/* "/" is RKE's default; other values are used verbatim */
	return strcmp(c->prefix_path, "/") ? c->prefix_path : "";
}

/* Flag maps: name -> value, later settings win, rendered sorted. */
struct flags {
	struct cfg_kvs kv;
	bool oom;
};

struct flag {
	const char *key, *val;
};

void flags_set(struct flags *f, const char *k, const char *v);
void flags_del(struct flags *f, const char *k);
/* The value of flag k, or NULL. */
const char *flags_get(const struct flags *f, const char *k);
void flags_setf(struct flags *f, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Sets the n flags of a table: what RKE passes whatever the cluster. */
void flags_set_all(struct flags *f, const struct flag *v, size_t n);
#define FLAGS_SET_TABLE(f, table) flags_set_all(f, table, sizeof(table) / sizeof(*(table)))
/* --cloud-provider when the cluster names one. */
void flags_cloud_provider(struct flags *f, const struct cluster *c);
/* RKE's default flags of component comp for the cluster's version, over
 * the flags computed so far; an empty default removes the flag. */
void flags_table_defaults(struct plan *p, struct flags *f, enum k8s_component comp);

/* A container while it is planned.  Its flags follow RKE's precedence:
 * what RKE computes before its defaults (certificates, addresses, ranges),
 * then RKE's default flags for the version (flags_table_defaults), then
 * what RKE computes after them (authorization, admission plugins, audit,
 * cri-dockerd), then the service's extra_args (pn_container). */
struct ct_draft {
	struct flags flags;     /* rendered first, sorted, with the service's extra_args */
	struct strv args;       /* plain arguments, after the flags */
	struct strv binds, env; /* the service's extra_binds / extra_env follow */
	const char *user;       /* NULL: root */
};

/* Adds the container `name` running the system image `image_key`, made of
 * d (emptied) and the user's settings for the service svc (may be NULL). */
void pn_container(struct plan *p, struct pnode *pn, const char *name, const char *image_key,
		  const struct cfg_service *svc, struct ct_draft *d);
void plan_container_free(struct plan_container *ct);

/* Adds the certificate `stem` and its .pem and -key.pem files.  sans: the
 * node's own names (emptied), or NULL for none. */
void pn_cert(struct plan *p, struct pnode *pn, const char *stem, const char *cn, struct strv *sans);
/* As pn_cert with one of the plan's shared lists (p->sans_etcd, p->sans_api). */
void pn_cert_shared(struct plan *p, struct pnode *pn, const char *stem, const char *cn, char **sans);
void pn_file(struct plan *p, struct pnode *pn, const char *path, unsigned mode, const char *source);
/* Frees what the node holds (not the shared SAN lists). */
void pn_free(const struct plan *p, struct pnode *pn);

/* SANs as RKE's pki.GetAltNames builds them for the hosts with `role`. */
char **plan_alt_names(struct plan *p, const char *role, bool user_sans);

/* What every node gets, and what each role adds. */
void plan_node_common(struct plan *p, struct pnode *pn, const struct cfg_node *n);
void plan_registry_files(struct plan *p, struct pnode *pn, const struct cfg_node *n);
void plan_etcd(struct plan *p, struct pnode *pn, const struct cfg_node *n);
/* An etcd node's snapshot and restore keys for node.conf (nodecfg.h); 0 or
 * -ENOMEM. */
int plan_etcd_node_config(const struct plan *p, struct nodecfg *out);
void plan_controlplane(struct plan *p, struct pnode *pn, const struct cfg_node *n);
void plan_worker(struct plan *p, struct pnode *pn, const struct cfg_node *n);
/* paddock's bridge pod network (plan_pod_network.c): the node's subnet and
 * CNI file when the cluster uses it; its node.conf keys (pod.*), 0 or
 * nonzero when out of memory. */
bool plan_pod_bridge(const struct plan *p);
void plan_pod_network(struct plan *p, struct pnode *pn, const struct cfg_node *n);
int plan_pod_node_config(const struct plan *p, size_t i, struct nodecfg *out);

#endif
