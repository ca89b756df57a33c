/* registry_auth: the credentials System Docker sends when it pulls a role
 * container's image (Engine API header X-Registry-Auth).
 *
 * The builder writes them from cluster.yml's private_registries into the
 * node layer, mode 0600:
 *   {"auths": {"HOST[:PORT][/PATH]": {"username": "U", "password": "P"}}}
 * paddock-services picks the entry whose host is the image's registry and
 * hands Docker base64url({"username","password","serveraddress"}).  The
 * values never reach a log or a status line. */
#ifndef PADDOCK_REGISTRY_AUTH_H
#define PADDOCK_REGISTRY_AUTH_H

#include <stddef.h>

#include "perr.h"

#define REGISTRY_AUTH_PATH "/etc/paddock/registry-auth.json"

/* The registry host[:port] of an image reference, as Docker reads it
 * ("docker.io" for "rancher/x:1"); a new heap string, NULL on ENOMEM. */
char *registry_of_image(const char *ref);

/* The registry host[:port] of a private_registries url (its path and a
 * docker.io alias dropped); a new heap string, NULL on ENOMEM. */
char *registry_of_url(const char *url);

/* The X-Registry-Auth value for pulling ref with the credentials in doc
 * (the file's text, len bytes).  *ret is NULL when doc has none for the
 * image's registry.  -EINVAL when doc is not such a document. */
int registry_auth_header(const char *doc, size_t len, const char *ref, char **ret,
			 struct perr *err);

/* registry_auth_header() reading path; a missing file means no
 * credentials. */
int registry_auth_header_file(const char *path, const char *ref, char **ret, struct perr *err);

/* Writes the base64 (standard alphabet, padded) of data into a new heap
 * string; NULL on ENOMEM.  url: the URL-safe alphabet, as Docker decodes
 * X-Registry-Auth. */
char *registry_base64(const void *data, size_t len, int url);

#endif
