/* boot: PID 1's boot stages after the mounts: modules and coldplug, the
 * network, then the machine that moves from System Docker to the bundled
 * images to the os-services as each becomes ready (enum phase).  Each
 * stage says "paddock: <stage> ok" or "... FAILED: <why>" on the console. */
#ifndef PADDOCK_INIT_BOOT_H
#define PADDOCK_INIT_BOOT_H

#include "pid1.h"

/* The modules list, then coldplug until no new driver binds. */
void boot_modules(void);
/* Loopback, the node's NIC, then a static address or DHCP. */
void boot_network(struct init *in);
/* Starts (or registers and starts) System Docker. */
void boot_start_dockerd(struct init *in, double now);
/* Moves the boot forward: System Docker answering, images loaded, services. */
void boot_advance(struct init *in, double now);
/* Reaps every ended child; outside a shutdown an end moves the phase back
 * or is announced. */
void boot_reap(struct init *in);

#endif
