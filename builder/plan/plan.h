/* plan: what each node of a cluster will be, derived from cluster.yml.
 *
 * This is the contract between the front end (config parsing and
 * validation, builder/config*.c) and everything that builds images from it.
 * `paddock plan --json` prints the same content.  Fields may be added;
 * existing ones keep their meaning. */
#ifndef PADDOCK_PLAN_H
#define PADDOCK_PLAN_H

#include <stddef.h>
#include <stdbool.h>

#include "config/diag.h"
#include "nodecfg.h"
#include "perr.h"

enum plan_role {
	PLAN_ROLE_ETCD = 1u << 0,
	PLAN_ROLE_CONTROLPLANE = 1u << 1,
	PLAN_ROLE_WORKER = 1u << 2,
};

struct plan_node {
	char *name;             /* effective hostname (lower-cased); the out/<name>/ directory */
	char *address;          /* as written in the file */
	char *internal_address; /* defaulted to address */
	unsigned roles;         /* enum plan_role bits */
	/* paddock's own boot keys (see README); NULL/empty when not set */
	char *mac;              /* "aa:bb:cc:dd:ee:ff", lower case */
	bool dhcp;              /* true unless a static address is given */
	char *net_address;      /* "10.0.0.5/24" when static */
	char *net_gateway;
	char **dns;             /* NULL-terminated */
	char *state_disk;       /* block device, e.g. /dev/vda */
	char *kernel_args;      /* extra kernel command line */
	bool debug_shell;
	/* paddock.pod_network: bridge: the node's pods' subnet, else NULL */
	char *pod_cidr;         /* "10.42.11.0/24" */
};

/* Cluster-wide build settings from the top-level `paddock:` block; the
 * builder's command-line flags override them. */
struct plan_build_opts {
	char *kernel_flavour;   /* "generic" (default, hardware) or "cloud" (VMs) */
	char *compression;      /* "zstd" (default), "gzip", "xz", "none" */
	char **formats;         /* NULL-terminated: "kernel", "iso", "pxe", "ipxe" */
	char *http_base;        /* base URL for iPXE scripts, or NULL */
	char *console;          /* serial console device, default "ttyS0" */
	int menu_timeout;       /* boot menu timeout in seconds, default 5 */
};

struct plan;                /* opaque; the full model lives behind it */

/* Reads, parses, validates and plans FILE.  Warnings go to *diags (may be
 * NULL to drop them).  Returns 0, or a negative code with *err set to the
 * first error (file:line:col in err). */
int plan_load(const char *path, struct plan **out, struct diag_list *diags, struct perr *err);

const char *plan_cluster_name(const struct plan *p);
const struct plan_build_opts *plan_build_options(const struct plan *p);
size_t plan_node_count(const struct plan *p);
const struct plan_node *plan_node_at(const struct plan *p, size_t i);

/* Fills the baked node configuration (lib/nodecfg.h keys) for node i. */
int plan_node_config(const struct plan *p, size_t i, struct nodecfg *out, struct perr *err);

void plan_free(struct plan *p);

/* --- the rest of the plan (what `paddock plan` shows) ------------------- */

struct cluster;                 /* config/config.h: the full typed model */

/* A container the node runs under System Docker. */
struct plan_container {
	char *name;             /* etcd, kube-apiserver, kubelet, ... */
	char *image;            /* rewritten to the default private registry */
	const char *source;     /* "bundled" (in the image) or "registry" (pulled) */
	char *user;             /* "uid:gid", or NULL for root */
	char **args;            /* NULL-terminated; "--flag=value", sorted */
	char **binds;           /* NULL-terminated; "host:container[:opts]" */
	char **env;             /* NULL-terminated; "KEY=value" */
	/* How it runs, as RKE runs it (cluster/plan.go): */
	const char *binary;     /* the command's first word, before args; NULL: args are all of it */
	const char *network_mode; /* "host" */
	const char *pid_mode;   /* "host" or "private" */
	bool privileged;
	const char *restart;    /* "always": restarted whenever it stops */
};

/* A certificate the node's layer carries (key alongside, 0600). */
struct plan_cert {
	char *name;             /* file stem under /etc/kubernetes/ssl/ */
	char *common_name;
	char **sans;            /* NULL-terminated: DNS names and IPs */
};

/* Files the API server's flags name, which the node layer carries
 * (image/kube_files.h writes them). */
#define PLAN_AUDIT_POLICY "/etc/kubernetes/audit-policy.yaml"
#define PLAN_ADMISSION_CONFIG "/etc/kubernetes/admission.yaml"
#define PLAN_ENCRYPTION_CONFIG "/etc/kubernetes/ssl/encryption.yaml"
#define PLAN_AUTHN_WEBHOOK "/etc/kubernetes/kube-api-authn-webhook.yaml"

/* A file in the node layer. */
struct plan_file {
	char *path;
	unsigned mode;
	char *source;           /* "generated", "state", "cluster.yml" or a host path */
};

/* As plan_load, from memory; name is used in messages. */
int plan_load_buffer(const char *name, const char *buf, size_t len, struct plan **out,
		     struct diag_list *diags, struct perr *err);

const struct cluster *plan_cluster(const struct plan *p);
const struct plan_container *plan_node_containers(const struct plan *p, size_t i, size_t *n);
const struct plan_cert *plan_node_certs(const struct plan *p, size_t i, size_t *n);
const struct plan_file *plan_node_files(const struct plan *p, size_t i, size_t *n);
/* host[:port] of the default private registry (images are pulled from
 * it), or NULL when the file sets none; node.conf's registry.default. */
const char *plan_default_registry(const struct plan *p);
/* The CNI configuration of paddock's bridge pod network (image/cni_files.h). */
#define PLAN_CNI_CONFLIST "/etc/cni/net.d/10-paddock-bridge.conflist"
/* Node i's routes to the other nodes' pods ("10.42.12.0/24 via
 * 10.10.0.12", node.conf's pod.route), NULL-terminated, heap (strv_free);
 * empty without the bridge pod network; NULL when out of memory. */
char **plan_pod_routes(const struct plan *p, size_t i);
/* "etcd-node1=https://10.10.0.11:2380,..." (empty with external etcd). */
const char *plan_etcd_initial_cluster(const struct plan *p);

#endif
