/* config: the typed cluster model read from an RKE cluster.yml.
 *
 * config_load() (config_load.c) reads the file (bounded), parses it
 * (ytree), checks every key against RKE's schema (config_schema), fills
 * this model with RKE's defaults applied (config_read.c, over ytree_get's
 * typed reads; the default version, images and flags from RKE's version
 * table, k8s_versions) and validates it (config_validate.c): first what
 * RKE itself refuses, in RKE's order, then where paddock is stricter, then
 * paddock's own keys.  Keys paddock does not act on are type-checked but
 * not copied here.  Strings are heap copies; NULL means "not set".
 * cluster.c frees the model and answers the plan's questions about it;
 * system_images.h says which image each system_images key runs. */
#ifndef PADDOCK_CONFIG_H
#define PADDOCK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config/cfg_strings.h"
#include "config/diag.h"
#include "config/k8s_version.h"
#include "config/k8s_versions.h"
#include "config/ytree.h"
#include "perr.h"

enum cfg_tri { CFG_UNSET = -1, CFG_FALSE = 0, CFG_TRUE = 1 };

/* paddock's boot keys: per node, and as cluster-wide defaults */
struct cfg_boot {
	char *mac;                  /* normalised lower case; nodes only */
	char *net_mode;             /* "dhcp" | "static" */
	char *net_address;          /* CIDR */
	char *net_gateway;
	struct cfg_strs dns;
	bool dns_set;
	char *state_disk;
	char *kernel_args;
	enum cfg_tri debug_shell;
};

struct cfg_taint {
	char *key, *value, *effect;
};

struct cfg_node {
	const struct ynode *y;      /* the node's mapping, for positions */
	char *address;
	char *port;                 /* default "22" */
	char *internal_address;     /* default address */
	struct cfg_strs role;
	char *hostname_override;    /* default address; lower-cased */
	char *user;
	char *docker_socket;        /* default /var/run/docker.sock */
	bool ssh_agent_auth;        /* forced to the cluster's value, as RKE does */
	char *ssh_key, *ssh_key_path, *ssh_cert, *ssh_cert_path;
	char *node_name;
	struct cfg_kvs labels;
	struct cfg_taint *taints;
	size_t ntaints;
	struct cfg_boot boot;       /* `paddock:` with the defaults merged in */
};

struct cfg_service {            /* BaseService */
	struct cfg_kvs extra_args;
	struct cfg_kv_list extra_args_array;
	struct cfg_strs extra_binds;
	struct cfg_strs extra_env;
};

struct cfg_s3 {
	bool present;
	char *access_key, *secret_key, *bucket_name, *region, *endpoint, *custom_ca, *folder;
};

struct cfg_backup {
	bool present;
	bool enabled;               /* default true when present */
	long long interval_hours;   /* default 12 */
	long long retention;        /* count, default 6 */
	bool safe_timestamp;
	long long timeout;          /* default 300 */
	struct cfg_s3 s3;
};

struct cfg_etcd {
	struct cfg_service base;
	struct cfg_strs external_urls;
	char *ca_cert, *cert, *key, *path;
	long long uid, gid;
	bool snapshot;              /* default true (rke CLI) */
	char *creation;             /* legacy, default 12h */
	char *retention;            /* legacy, default 72h */
	struct cfg_backup backup;
};

struct cfg_audit {
	bool present;
	bool enabled;
	long long max_age, max_backup, max_size;
	char *path, *format;
	const struct ynode *policy; /* NULL: RKE's default Metadata policy */
};

struct cfg_kube_api {
	struct cfg_service base;
	char *service_cluster_ip_range;     /* default 10.43.0.0/16 */
	char *service_node_port_range;      /* default 30000-32767 */
	char *pod_security_configuration;   /* default privileged (k8s >= 1.23) */
	bool always_pull_images;
	bool secrets_encryption;
	const struct ynode *encryption_custom_config;
	struct cfg_audit audit;
	const struct ynode *admission_configuration;
	bool event_rate_limit;
	const struct ynode *event_rate_limit_config;
};

struct cfg_kube_controller {
	struct cfg_service base;
	char *cluster_cidr;                 /* default 10.42.0.0/16 */
	char *service_cluster_ip_range;     /* default 10.43.0.0/16 */
};

struct cfg_kubelet {
	struct cfg_service base;
	char *cluster_domain;               /* default cluster.local */
	char *infra_container_image;        /* default system_images.pod_infra_container */
	char *cluster_dns_server;           /* default 10.43.0.10 */
	bool fail_swap_on;
	bool generate_serving_certificate;
};

struct cfg_registry {
	const struct ynode *y;
	char *url;                  /* default docker.io */
	bool url_given;             /* url set in the file (RKE's image prefix needs it) */
	char *user, *password;
	bool is_default;
	bool ecr;
	char *ca_cert;              /* paddock.ca_cert: the registry's CA file, as written */
	char *ca_pem;               /* its certificates, read and checked by validation */
};

struct cfg_bastion {
	char *address, *port, *user, *ssh_key, *ssh_key_path, *ssh_cert, *ssh_cert_path;
	bool ssh_agent_auth, ignore_proxy_env_vars;
};

struct cfg_paddock {
	struct cfg_boot defaults;
	char *kernel;               /* generic | cloud */
	char *compression;          /* zstd | gzip | xz | none */
	struct cfg_strs formats;    /* kernel iso pxe ipxe */
	char *http_base;
	char *console;              /* ttyS0 */
	long long menu_timeout;     /* 5 */
	long long snapshot_interval_secs; /* 0: from the etcd keys; tests shorten it */
	char *etcd_image;           /* bundled | registry (NULL: bundled unless system_images.etcd is set) */
	struct cfg_strs registry_mirrors; /* Docker Hub mirrors (daemon.json) */
	char *pod_network;          /* none (default) | bridge: paddock's own, plan/pod_network.h */
};

struct cluster {
	char *file;                 /* as given, for messages */
	struct ynode *root;         /* kept for positions and opaque sub-trees */

	struct cfg_node *nodes;
	size_t nnodes;

	struct {
		struct cfg_etcd etcd;
		struct cfg_kube_api kube_api;
		struct cfg_kube_controller kube_controller;
		struct cfg_service scheduler;
		struct cfg_kubelet kubelet;
		struct cfg_service kubeproxy;
	} services;

	struct {
		char *plugin;           /* default canal */
		struct cfg_kvs options;
		long long mtu;
	} network;
	struct {
		char *strategy;         /* default x509 */
		struct cfg_strs sans;
		char *webhook_config_file, *webhook_cache_timeout;
	} authentication;
	struct {
		char *mode;             /* default rbac */
	} authorization;
	struct {
		char *provider;         /* default nginx */
		struct cfg_kvs options, extra_args;
		char *dns_policy, *network_mode;
		long long http_port, https_port;
	} ingress;
	struct {
		char *provider;         /* default coredns */
		struct cfg_strs upstreamnameservers;
		char *nodelocal_ip;
		bool nodelocal;         /* dns.nodelocal is a mapping: RKE runs NodeLocal DNS */
	} dns;
	struct {
		char *provider;         /* default metrics-server */
		long long replicas;
	} monitoring;
	struct cfg_kvs system_images;   /* as written (unset entries absent) */
	char *kubernetes_version;       /* default k8s_default_version() */
	bool kubernetes_version_set;
	const struct k8s_version *k8s;  /* kubernetes_version in RKE's table; NULL: unknown */
	const struct k8s_options *k8s_flags; /* RKE's default flags for it; NULL: none */
	struct k8s_rules k8s_rules;     /* RKE's rules for kubernetes_version */
	char *cluster_name;             /* default local */
	char *ssh_key_path;             /* default ~/.ssh/id_rsa */
	char *ssh_cert_path;
	bool ssh_agent_auth;
	char *prefix_path;              /* default / */
	char *win_prefix_path;
	long long addon_job_timeout;    /* default 45 */
	char *addons;
	struct cfg_strs addons_include;
	enum cfg_tri ignore_docker_version, enable_cri_dockerd;
	struct cfg_registry *registries;
	size_t nregistries;
	struct cfg_bastion bastion;
	struct {
		char *max_unavailable_worker, *max_unavailable_controlplane;
		enum cfg_tri drain;
		bool force, delete_local_data;
		bool ignore_daemonsets;
		long long grace_period, timeout;
	} upgrade_strategy;
	struct {
		bool restore;
		char *snapshot_name;
	} restore;
	struct {
		bool present, cacertificates;
		struct cfg_strs services;
	} rotate_certificates;
	bool rotate_encryption_key;
	char *cloud_provider_name;
	char *cri_dockerd_stream_server_address, *cri_dockerd_stream_server_port;

	struct cfg_paddock paddock;
};

#define PADDOCK_MAX_NODES 2000      /* images per file; keeps plans bounded */
#define PADDOCK_MAX_ETCD 15         /* etcd members; 7 is already a lot */
#define PADDOCK_MAX_SERVICE_LIST 200 /* extra_args, binds, env of one service */
#define PADDOCK_MAX_SANS 500        /* authentication.sans: one certificate */

/* Reads, parses, checks and validates path.  Warnings to diags (may be
 * NULL).  On success *out is a new cluster. */
int config_load(const char *path, struct cluster **out, struct diag_list *diags, struct perr *err);

/* As config_load, from memory; name is used in messages. */
int config_load_buffer(const char *name, const char *buf, size_t len, struct cluster **out,
		       struct diag_list *diags, struct perr *err);

/* Fills the model from a schema-checked tree and applies RKE's defaults. */
int config_read(struct cluster *c, struct diag_list *diags, struct perr *err);

/* RKE's validation (its order and its errors), then paddock's checks. */
int config_validate(struct cluster *c, struct diag_list *diags, struct perr *err);

/* The model's lifetime and the questions the plan asks of it (cluster.c). */
void config_free(struct cluster *c);
bool cfg_has_role(const struct cfg_node *n, const char *role);
size_t cfg_role_count(const struct cluster *c, const char *role);

#endif
