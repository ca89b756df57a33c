/* provision: the contract between paddock-provisioner (provisioner/), init
 * and the readers of its files (paddockctl, paddock-services).
 *
 * init runs "paddock-provisioner state-disk" once before System Docker
 * starts (it mounts the state disk where System Docker's data root lives),
 * then "paddock-provisioner" supervised once System Docker listens.
 *
 * Status files are text, one record per line, fields separated by tabs:
 *   STATE_DISK_STATUS     disk  STATE  DEVICE  DETAIL
 *                         STATE: mounted | formatted | ram | foreign | failed
 *   PROVISIONER_STATUS    stage NAME  SECONDS  DETAIL
 *                         member ID  NAME  PEER-URL  voter|learner  leader|-  healthy|unhealthy|?
 *                         snapshot NAME  UTC-TIME  BYTES  verified|unverified  KEPT (the last one; how many in the folder)
 *                         snapshot-failed DETAIL   (the last attempt failed)
 * ETCD_HEALTHY exists while the local etcd answers its health check;
 * role containers that need etcd wait for it. */
#ifndef PADDOCK_PROVISION_H
#define PADDOCK_PROVISION_H

#define PROVISIONER_BIN "/usr/sbin/paddock-provisioner"
#define STATE_DISK_STATUS "/run/paddock/state-disk.status"
#define PROVISIONER_STATUS "/run/paddock/provisioner.status"
#define ETCD_HEALTHY "/run/paddock/etcd.healthy"
/* made by the provisioner once it tried to start etcd (its image loaded,
 * its container created) the first time, started or not: paddock-services
 * loads the os-services' images after that, so that the two do not share
 * System Docker and the CPU, and etcd is up first */
#define ETCD_START_TRIED "/run/paddock/etcd-start.tried"
/* the role containers' files (svcconf.h format); the one named etcd is the
 * provisioner's */
#define CONTAINERS_DIR "/etc/paddock/containers"
/* docker-save tarballs of role images bundled in the base (etcd); the
 * provisioner loads them when it needs them */
#define ROLE_IMAGES_DIR "/usr/share/paddock/role-images"
/* where the state disk is mounted */
#define STATE_MOUNT "/var/lib/paddock"
#define STATE_LABEL "PADDOCK_STATE"

#endif
