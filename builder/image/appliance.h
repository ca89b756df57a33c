/* appliance: what the running appliance needs from the build, per node:
 * the os-services it runs, System Docker's daemon.json and the NTP
 * configuration.  The image build adds these files to each node layer. */
#ifndef PADDOCK_APPLIANCE_H
#define PADDOCK_APPLIANCE_H

#include <stddef.h>
#include <sys/types.h>

#include "image/os_services.h"
#include "perr.h"
#include "plan/plan.h"

#define OS_SERVICES_DIR "os-services"
#define SYSIMAGES_DIR "os-services/images"

struct appl_file {
	char *path;     /* absolute in the image */
	char *data;
	size_t len;
	mode_t mode;
	unsigned uid, gid;
};

struct appl_files {
	struct appl_file *v;
	size_t n;
};

/* Loads and checks os-services/ under root (the source tree). */
int appliance_services(const char *root, struct os_services *out, struct perr *err);

/* The files for node i of p: its os-services, System Docker's
 * daemon.json and the NTP configuration.  (Its SSH files: pki/ssh.h.) */
int appliance_node_files(const struct plan *p, size_t i, const struct os_services *s,
			 struct appl_files *out, struct perr *err);

/* Adds a file; data is taken on success only. */
int appl_files_add(struct appl_files *f, const char *path, char *data, size_t len, mode_t mode, unsigned uid,
		   unsigned gid);

/* Wipes each file's data before freeing it (node layers hold keys). */
void appl_files_free(struct appl_files *f);

#endif
