/* validate_rke: the checks of `rke up`, with RKE's wording in each message.
 * Each returns 0 or fails (-EINVAL) on the first fault it finds. */
#ifndef PADDOCK_VALIDATE_RKE_H
#define PADDOCK_VALIDATE_RKE_H

#include "config/validate_report.h"

int rke_check_audit_policy(struct vctx *v);     /* ParseConfig */
int rke_check_network_options(struct vctx *v);  /* setNetworkOptions */
int rke_check_roles(struct vctx *v);            /* InvertIndexHosts */
int rke_check_duplicates(struct vctx *v);       /* ValidateCluster ... */
int rke_check_hosts(struct vctx *v);
int rke_check_authn(struct vctx *v);
int rke_check_network(struct vctx *v);
int rke_check_ingress(struct vctx *v);
int rke_check_services(struct vctx *v);
int rke_check_etcd_count(struct vctx *v);       /* ValidateHostCount (after SSH in RKE) */

#endif
