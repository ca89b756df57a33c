/* audit_sshd: the shipped sshd_config read as sshd reads it.
 *
 * Keywords are case-insensitive, "Key value" or "Key=value"; a value in
 * double quotes may hold spaces; a line starting with '#' is a comment.
 * Include (relative paths under /etc/ssh/, globs sorted) is followed in
 * place, at most 16 deep.  Outside Match blocks the first value of a keyword
 * is the one sshd uses; Match blocks override it for the connections they
 * match, so the checks look at both. */
#ifndef PADDOCK_AUDIT_SSHD_H
#define PADDOCK_AUDIT_SSHD_H

#include <stdbool.h>
#include <stddef.h>

#include "audit/audit_view.h"

#define SSHD_CONFIG "/etc/ssh/sshd_config"

struct sshd_opt {
	char *key;              /* lower-case */
	char **args;            /* NULL-terminated, at least one */
	bool in_match;          /* inside a Match block */
	char *where;            /* "/etc/ssh/sshd_config:12" */
};

struct sshd_config {
	struct sshd_opt *v;
	size_t n, cap;
	bool oom;
};

/* Reads path from the view; -ENOENT when it is not there, else 0 (a
 * missing Include is no error: sshd ignores a glob that matches nothing);
 * *ret_error says what was malformed (a line without a value, an Include
 * loop), NULL when nothing was. */
int sshd_config_read(const struct audit_view *v, const char *path, struct sshd_config *c, char **ret_error);

/* The value sshd uses outside Match blocks: the first occurrence of key or
 * of alias (may be NULL), in any case. */
const struct sshd_opt *sshd_global(const struct sshd_config *c, const char *key, const char *alias);

void sshd_config_free(struct sshd_config *c);

#endif
