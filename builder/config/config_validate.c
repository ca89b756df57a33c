/* config_validate: the cluster model checked in the order `rke up` checks
 * it (cluster/cluster.go, cluster/hosts.go, cluster/validation.go), with
 * paddock's stricter checks where they belong in that order, then paddock's
 * own keys, then the warnings.  The first fault found is the error. */
#include "config/config.h"

#include "config/removed_flags.h"
#include "config/validate_nodes.h"
#include "config/validate_paddock.h"
#include "config/validate_pod_network.h"
#include "config/validate_registry.h"
#include "config/validate_report.h"
#include "config/validate_rke.h"
#include "config/validate_strict.h"
#include "config/validate_version.h"

int config_validate(struct cluster *c, struct diag_list *diags, struct perr *err)
{
	struct vctx v = { c, diags, err };
	int (*const steps[])(struct vctx *) = {
		rke_check_audit_policy,         /* ParseConfig */
		strict_check_ranges,            /* paddock: numbers that cannot work */
		rke_check_version,              /* setClusterDefaults (setCRIDockerd) */
		rke_check_network_options,      /* setNetworkOptions */
		rke_check_cloud_provider,       /* setCloudProvider */
		rke_check_roles,                /* InvertIndexHosts */
		rke_check_known_version,        /* ValidateCluster: validateVersion ... */
		rke_check_duplicates,
		rke_check_hosts,
		strict_check_node_addresses,    /* paddock: placeholders fail only at SSH in RKE */
		rke_check_authn,
		rke_check_network,
		rke_check_ingress,
		rke_check_cri_and_psa,
		rke_check_services,
		rke_check_etcd_count,           /* ValidateHostCount (after SSH in RKE) */
		strict_check_etcd_size,
		strict_check_ssh_paths,         /* paddock: what fails at SSH time in RKE */
		paddock_check_keys,
		registry_check_keys,
		paddock_check_boot_dups,
		pod_network_check,
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		int r = steps[i](&v);
		if (r < 0)
			return r;
	}
	strict_warnings(&v);
	version_warnings(&v);
	node_warnings(&v);
	removed_flag_warnings(&v);
	return 0;
}
