/* peer_probe: whether anything accepts a TCP connection at a URL's host
 * and port, to name the etcd peers that are missing. */
#ifndef PADDOCK_PROV_PEER_PROBE_H
#define PADDOCK_PROV_PEER_PROBE_H

#include <stdbool.h>

/* "https://10.10.0.12:2380": true when a connection is accepted within
 * timeout_ms. */
bool peer_reachable(const char *url, int timeout_ms);

#endif
