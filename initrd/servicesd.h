/* servicesd: paddock-services, the program that does PID 1's Docker work.
 *
 * init starts it once System Docker listens and supervises it like any
 * service.  It waits for System Docker to answer, loads the bundled
 * images, runs every os-service as a container (each watched by a child
 * that waits on it, restarted with a back-off), then the node's role
 * containers but etcd (the provisioner's), pulling their images when they
 * are not bundled (pull.h), answers `paddockctl status` and `logs` on
 * SERVICES_SOCK, and on SIGTERM stops the containers, the last started
 * first, and exits.  It links libcurl and libcrypto; init does not. */
#ifndef PADDOCK_INIT_SERVICESD_H
#define PADDOCK_INIT_SERVICESD_H

#define SERVICES_BIN "/usr/sbin/paddock-services"
#define SERVICES_SOCK "/run/paddock/services.sock"

/* Its exit status when System Docker never answered: init then kills
 * System Docker, which it restarts, and paddock-services with it. */
#define SERVICES_EXIT_NO_DOCKER 75

#endif
