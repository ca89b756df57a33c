/* pull: a role container's image, pulled through System Docker when it is
 * not bundled, retried with a back-off until it is there.
 *
 * Each failed attempt is classified (docker_api.h: wrong credentials,
 * registry unreachable, image not found, certificate not trusted), printed
 * as one console line and kept as one status line in
 * PULL_STATE_DIR/<container>, which `paddockctl status` shows; the file
 * goes once the image is present.  Credentials come from
 * REGISTRY_AUTH_PATH (registry_auth.h) and are never printed. */
#ifndef PADDOCK_INIT_PULL_H
#define PADDOCK_INIT_PULL_H

#include <stddef.h>

#include "docker_api.h"

#define PULL_STATE_DIR "/run/paddock/pull"
/* the back-off: PULL_FIRST_SECS, doubled after each failure, at most PULL_MAX_SECS */
#define PULL_FIRST_SECS 5.0
#define PULL_MAX_SECS 300.0

/* Seconds to wait after failure number n (1, 2, ...). */
double pull_backoff(unsigned n);

/* The status line of a failed attempt (a new heap string, NULL on ENOMEM). */
char *pull_state_line(const char *image, enum docker_pull_fail c, const char *msg, unsigned attempt,
		      double retry_in);

/* Returns once image is in System Docker (0), pulling it when it is not;
 * <0 only when System Docker cannot be asked at all (*err says why).
 * name: the container, for messages and the state file. */
int pull_until_present(struct docker *d, const char *name, const char *image, struct perr *err);

/* The state line for name, or NULL when there is none (a new heap string). */
char *pull_state_read(const char *name);

#endif
