/* cni_files: the CNI configuration of paddock's bridge pod network
 * (paddock.pod_network: bridge), one file per node at PLAN_CNI_CONFLIST:
 * a bridge (cni0) that is the pods' gateway and lets a pod reach itself
 * through a Service (hairpin), and masquerades nothing (ipMasq would hide
 * a pod's address from other nodes' pods; init masquerades what leaves the
 * cluster CIDR instead, initrd/pod_network.h),
 * host-local addresses from the node's subnet (plan's pod_cidr), and
 * portmap for hostPort.  The loopback plugin needs no entry: the kubelet
 * runs it from the same directory for every pod's lo.  cniVersion 0.4.0 is
 * the newest the v1.20 kubelet's libcni speaks; Debian 12's plugins speak
 * it too. */
#ifndef PADDOCK_CNI_FILES_H
#define PADDOCK_CNI_FILES_H

#include <stddef.h>

#include "perr.h"
#include "pki/appl_files.h"
#include "plan/plan.h"

/* The conflist for a node with the pods' subnet, "10.42.11.0/24" (heap). */
char *cni_conflist(const char *subnet);

/* Adds node i's conflist to out; nothing without the bridge pod network. */
int cni_node_files(const struct plan *p, size_t i, struct appl_files *out, struct perr *err);

#endif
