/* provisioner: paddock-provisioner's long-running part, which init starts
 * once System Docker listens and restarts when it ends.
 *
 * On an etcd node (CONTAINERS_DIR holds a conf named etcd) it loads the
 * bundled etcd image when needed, gives etcd its data folder (uid:gid,
 * 0700) and runs the container: a member of the build's new cluster, or
 * the same member again when the folder holds data.  Then it watches:
 * ETCD_HEALTHY exists while etcd answers its health check; while it does
 * not, the console names the peers that do not answer, less and less
 * often (etcd itself never forms a cluster without a quorum of the
 * initial members).  A stopped container is started again with a
 * back-off.  PROVISIONER_STATUS holds the stage and the members.  SIGTERM
 * stops etcd and ends it. */
#ifndef PADDOCK_PROV_PROVISIONER_H
#define PADDOCK_PROV_PROVISIONER_H

/* Runs until SIGTERM; returns the exit status. */
int provisioner_run(void);

#endif
