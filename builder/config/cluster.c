/* cluster: the model's lifetime and the queries the plan makes of it
 * (config.h). */
#include "config/config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

bool cfg_has_role(const struct cfg_node *n, const char *role)
{
	return cfg_strs_contains(&n->role, role);
}

size_t cfg_role_count(const struct cluster *c, const char *role)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nnodes; i++)
		n += cfg_has_role(&c->nodes[i], role);
	return n;
}

static void free_each(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

/* Frees every string it is given. */
#define FREE_ALL(...)                                                   \
	do {                                                            \
		char *all_[] = { __VA_ARGS__ };                         \
		free_each(all_, sizeof(all_) / sizeof(*all_));          \
	} while (0)

static void service_free(struct cfg_service *s)
{
	cfg_kvs_free(&s->extra_args);
	cfg_kv_list_free(&s->extra_args_array);
	cfg_strs_free(&s->extra_binds);
	cfg_strs_free(&s->extra_env);
}

static void boot_free(struct cfg_boot *b)
{
	FREE_ALL(b->mac, b->net_mode, b->net_address, b->net_gateway, b->state_disk, b->kernel_args);
	cfg_strs_free(&b->dns);
}

static void node_free(struct cfg_node *n)
{
	FREE_ALL(n->address, n->port, n->internal_address, n->hostname_override, n->user,
		 n->docker_socket, n->ssh_key, n->ssh_key_path, n->ssh_cert, n->ssh_cert_path,
		 n->node_name);
	cfg_strs_free(&n->role);
	cfg_kvs_free(&n->labels);
	for (size_t j = 0; j < n->ntaints; j++)
		FREE_ALL(n->taints[j].key, n->taints[j].value, n->taints[j].effect);
	free(n->taints);
	boot_free(&n->boot);
}

static void services_free(struct cluster *c)
{
	struct cfg_etcd *e = &c->services.etcd;
	struct cfg_s3 *s3 = &e->backup.s3;
	service_free(&e->base);
	cfg_strs_free(&e->external_urls);
	FREE_ALL(e->ca_cert, e->cert, e->key, e->path, e->creation, e->retention);
	FREE_ALL(s3->access_key, s3->secret_key, s3->bucket_name, s3->region, s3->endpoint,
		 s3->custom_ca, s3->folder);
	struct cfg_kube_api *a = &c->services.kube_api;
	service_free(&a->base);
	FREE_ALL(a->service_cluster_ip_range, a->service_node_port_range,
		 a->pod_security_configuration, a->audit.path, a->audit.format);
	struct cfg_kube_controller *kc = &c->services.kube_controller;
	service_free(&kc->base);
	FREE_ALL(kc->cluster_cidr, kc->service_cluster_ip_range);
	service_free(&c->services.scheduler);
	struct cfg_kubelet *kl = &c->services.kubelet;
	service_free(&kl->base);
	FREE_ALL(kl->cluster_domain, kl->infra_container_image, kl->cluster_dns_server);
	service_free(&c->services.kubeproxy);
}

void config_free(struct cluster *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nnodes; i++)
		node_free(&c->nodes[i]);
	free(c->nodes);
	services_free(c);
	FREE_ALL(c->network.plugin, c->authentication.strategy, c->authentication.webhook_config_file,
		 c->authentication.webhook_cache_timeout, c->authorization.mode, c->ingress.provider,
		 c->ingress.dns_policy, c->ingress.network_mode, c->dns.provider, c->dns.nodelocal_ip,
		 c->monitoring.provider);
	cfg_kvs_free(&c->network.options);
	cfg_kvs_free(&c->ingress.options);
	cfg_kvs_free(&c->ingress.extra_args);
	cfg_strs_free(&c->authentication.sans);
	cfg_strs_free(&c->dns.upstreamnameservers);
	cfg_kvs_free(&c->system_images);
	FREE_ALL(c->kubernetes_version, c->cluster_name, c->ssh_key_path, c->ssh_cert_path,
		 c->prefix_path, c->win_prefix_path, c->addons);
	cfg_strs_free(&c->addons_include);
	for (size_t i = 0; i < c->nregistries; i++)
	{
		FREE_ALL(c->registries[i].url, c->registries[i].user, c->registries[i].ca_cert,
			 c->registries[i].ca_pem);
		if (c->registries[i].password)
			OPENSSL_cleanse(c->registries[i].password, strlen(c->registries[i].password));
		free(c->registries[i].password);
	}
	free(c->registries);
	struct cfg_bastion *b = &c->bastion;
	FREE_ALL(b->address, b->port, b->user, b->ssh_key, b->ssh_key_path, b->ssh_cert,
		 b->ssh_cert_path);
	FREE_ALL(c->upgrade_strategy.max_unavailable_worker,
		 c->upgrade_strategy.max_unavailable_controlplane, c->restore.snapshot_name,
		 c->cloud_provider_name, c->cri_dockerd_stream_server_address,
		 c->cri_dockerd_stream_server_port);
	cfg_strs_free(&c->rotate_certificates.services);
	boot_free(&c->paddock.defaults);
	FREE_ALL(c->paddock.kernel, c->paddock.compression, c->paddock.http_base, c->paddock.console,
		 c->paddock.etcd_image, c->paddock.pod_network);
	cfg_strs_free(&c->paddock.formats);
	cfg_strs_free(&c->paddock.registry_mirrors);
	ynode_unref(c->root);
	free(c->file);
	free(c);
}
