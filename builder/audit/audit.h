/* audit: `paddock audit OUT` as a function.  Reads OUT/manifest.json, every
 * node's layers (audit_view.h) and OUT's own files, runs every check of the
 * table (audit_checks.c) on each node, on the layers all nodes share and on
 * OUT, and collects one result per check and subject (audit_report.h).
 *
 * Node-layer paths the checks expect (agreed with the PKI and SSH work):
 *   /etc/ssh/sshd_config, /etc/ssh/ssh_host_*_key (+ .pub, -cert.pub),
 *   /etc/ssh/authorized_keys/<user>, /etc/kubernetes/ssl/<name>.pem,
 *   /etc/kubernetes/audit-policy.yaml, /etc/paddock/node.conf,
 *   role containers as svcconf files in /etc/paddock/containers/, and
 *   node.conf's registry.default for the default private registry. */
#ifndef PADDOCK_AUDIT_H
#define PADDOCK_AUDIT_H

#include "audit/audit_report.h"
#include "perr.h"

/* Audits the build output in dir into *rep (free it with
 * audit_report_free).  Fails only when OUT cannot be judged at all (no
 * readable manifest.json); a layer that cannot be read is a failed result. */
int audit_run(const char *dir, struct audit_report *rep, struct perr *err);

#endif
