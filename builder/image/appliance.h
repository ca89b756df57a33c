/* appliance: what the running appliance needs from the build, per node:
 * the os-services it runs, System Docker's daemon.json and the NTP
 * configuration.  The image build adds these files to each node layer
 * (the SSH files come from pki/ssh.h). */
#ifndef PADDOCK_APPLIANCE_H
#define PADDOCK_APPLIANCE_H

#include <stddef.h>

#include "image/os_services.h"
#include "perr.h"
#include "pki/appl_files.h"
#include "plan/plan.h"

#define OS_SERVICES_DIR "os-services"
#define SYSIMAGES_DIR "os-services/images"

/* Loads and checks os-services/ under root (the source tree). */
int appliance_services(const char *root, struct os_services *out, struct perr *err);

/* The files for node i of p. */
int appliance_node_files(const struct plan *p, size_t i, const struct os_services *s,
			 struct appl_files *out, struct perr *err);

#endif
