#include "plan/plan_output.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/system_images.h"
#include "strv.h"

/* Flags worth a glance in the text view; --json shows all of them. */
static const char *const key_flags[] = {
	"--name=", "--initial-cluster=", "--initial-cluster-state=", "--advertise-client-urls=",
	"--etcd-servers=", "--advertise-address=", "--service-cluster-ip-range=",
	"--authorization-mode=", "--audit-log-path=", "--audit-log-maxage=",
	"--audit-log-maxbackup=", "--audit-log-maxsize=", "--audit-log-format=",
	"--audit-policy-file=", "--encryption-provider-config=", "--admission-control-config-file=",
	"--cluster-cidr=", "--hostname-override=", "--cluster-dns=", "--node-ip=", "--retention=",
	"--creation=", NULL,
};

static bool is_key_flag(const char *a)
{
	for (size_t i = 0; key_flags[i]; i++)
		if (!strncmp(a, key_flags[i], strlen(key_flags[i])))
			return true;
	return false;
}

int plan_write_text(const struct plan *p, FILE *f)
{
	const struct cluster *c = plan_cluster(p);
	const struct plan_build_opts *o = plan_build_options(p);
	fprintf(f, "cluster %s: kubernetes %s, network %s, %zu node%s\n", plan_cluster_name(p),
		c->kubernetes_version, c->network.plugin, plan_node_count(p),
		plan_node_count(p) == 1 ? "" : "s");
	if (!strcmp(c->paddock.pod_network, "bridge"))
		fprintf(f, "pod network: bridge (paddock's own), a /24 of %s per node\n",
			c->services.kube_controller.cluster_cidr);
	fprintf(f, "build: kernel %s, compression %s, formats", o->kernel_flavour, o->compression);
	for (size_t i = 0; o->formats[i]; i++)
		fprintf(f, " %s", o->formats[i]);
	fprintf(f, ", console %s, menu timeout %ds%s%s\n", o->console, o->menu_timeout,
		o->http_base ? ", http base " : "", o->http_base ? o->http_base : "");
	fprintf(f, "default flags: %s\n", c->k8s_flags ? k8s_options_key(c->k8s_flags)
						     : "none (RKE has none for this version)");
	struct cfg_image_need need[CFG_MAX_IMAGE_NEEDS];
	size_t nneed = cfg_images_needed(c, need);
	fputs("system images:\n", f);
	for (size_t i = 0; i < nneed; i++) {
		char *img = cfg_system_image(c, need[i].key);
		fprintf(f, "  %-28s %s\n", need[i].key, img ? img : "(none)");
		free(img);
	}
	if (c->services.etcd.external_urls.n)
		fprintf(f, "etcd: external (%zu URLs)\n", c->services.etcd.external_urls.n);
	else
		fprintf(f, "etcd initial cluster: %s\n", plan_etcd_initial_cluster(p));
	for (size_t i = 0; i < plan_node_count(p); i++) {
		const struct plan_node *n = plan_node_at(p, i);
		fprintf(f, "\nnode %s (%s", n->name, n->address);
		if (strcmp(n->address, n->internal_address))
			fprintf(f, ", internal %s", n->internal_address);
		fputs(") roles:", f);
		const char *rn[] = { "etcd", "controlplane", "worker" };
		for (int k = 0; k < 3; k++)
			if (n->roles & (1u << k))
				fprintf(f, " %s", rn[k]);
		fprintf(f, "\n  boot: mac %s, %s", n->mac ? n->mac : "(any)", n->dhcp ? "dhcp" : "static");
		if (!n->dhcp)
			fprintf(f, " %s gw %s", n->net_address, n->net_gateway ? n->net_gateway : "-");
		for (size_t j = 0; n->dns && n->dns[j]; j++)
			fprintf(f, "%s%s", j ? "," : " dns ", n->dns[j]);
		fprintf(f, ", state disk %s%s%s%s\n", n->state_disk ? n->state_disk : "(none: tmpfs only)",
			n->kernel_args ? ", kernel args \"" : "", n->kernel_args ? n->kernel_args : "",
			n->kernel_args ? "\"" : "");
		if (n->pod_cidr) {
			char **routes = plan_pod_routes(p, i);
			fprintf(f, "  pods: %s", n->pod_cidr);
			for (size_t j = 0; routes && routes[j]; j++)
				fprintf(f, "%s%s", j ? ", " : "; routes ", routes[j]);
			fputc('\n', f);
			strv_free(routes);
		}
		size_t nc, ncert, nf;
		const struct plan_container *ct = plan_node_containers(p, i, &nc);
		fputs("  containers:\n", f);
		for (size_t j = 0; j < nc; j++) {
			fprintf(f, "    %-24s %s%s%s%s\n", ct[j].name, ct[j].image,
				strcmp(ct[j].source, "bundled") ? "" : " (bundled)",
				ct[j].user ? "  --user " : "", ct[j].user ? ct[j].user : "");
			for (size_t a = 0; ct[j].args && ct[j].args[a]; a++)
				if (is_key_flag(ct[j].args[a]))
					fprintf(f, "      %s\n", ct[j].args[a]);
		}
		const struct plan_cert *ce = plan_node_certs(p, i, &ncert);
		fputs("  certificates:\n", f);
		for (size_t j = 0; j < ncert; j++) {
			fprintf(f, "    %s (CN %s)", ce[j].name, ce[j].common_name);
			for (size_t s = 0; ce[j].sans[s]; s++)
				fprintf(f, "%s%s", s ? "," : " SANs ", ce[j].sans[s]);
			fputc('\n', f);
		}
		const struct plan_file *fl = plan_node_files(p, i, &nf);
		fputs("  files:\n", f);
		for (size_t j = 0; j < nf; j++)
			fprintf(f, "    %04o %s (%s)\n", fl[j].mode, fl[j].path, fl[j].source);
	}
	return ferror(f) ? -1 : 0;
}
