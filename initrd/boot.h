/* boot: PID 1's boot stages after the mounts: modules and coldplug, the
 * network, the state disk, then System Docker and, once it listens,
 * paddock-services, which loads the bundled images and runs the
 * os-services, and paddock-provisioner, which runs etcd (enum phase).  Each
 * stage says "paddock: <stage> ok" or "... FAILED: <why>" on the console. */
#ifndef PADDOCK_INIT_BOOT_H
#define PADDOCK_INIT_BOOT_H

#include "pid1.h"

/* The modules list, then coldplug until no new driver binds. */
void boot_modules(void);
/* Loopback, the node's NIC, then a static address or DHCP. */
void boot_network(struct init *in);
/* Starts paddock-report (report_queue.h) when the node reports its
 * stages: after the network, before anything it sends is much older. */
void boot_reporter(double now);
/* Runs "paddock-provisioner state-disk" once; System Docker starts when
 * it ends, however it ends (without a disk the node runs from RAM). */
void boot_state_disk(struct init *in, double now);
/* Starts (or registers and starts) System Docker. */
void boot_start_dockerd(struct init *in, double now);
/* Moves the boot forward: once System Docker listens, paddock-services and
 * paddock-provisioner are started; System Docker that never listens is
 * killed and started again, a state disk step that never ends is killed. */
void boot_advance(struct init *in, double now);
/* Reaps every ended child; outside a shutdown an end moves the phase back
 * or is announced.  Returns whether a child is left. */
bool boot_reap(struct init *in);

#endif
