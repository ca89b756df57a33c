/* prov_members: the etcd membership as the provisioner's status shows it
 * (members, leader, each member's health), asked through the seam of
 * prov_ops.h. */
#ifndef PADDOCK_PROV_MEMBERS_H
#define PADDOCK_PROV_MEMBERS_H

#include "prov_machine.h"

/* Members and leader as the member at url lists them, and each one's
 * health; kept as they were when url does not answer. */
void prov_members_refresh(struct prov *p, const char *url);
void prov_members_free(struct prov *p);

#endif
