/* audit_check: what one check of `paddock audit` sees and how it answers.
 *
 * A check runs once per subject: each node (its view over its layers), the
 * layers every node shares ("base"), or the output directory as a whole
 * ("OUT").  It answers with a verdict: passed unless it notes a problem;
 * "missing" problems say that the thing checked is not in the image at all,
 * which fails too.  Checks are listed in one table (audit_checks.c); each
 * group of checks has its own file and declares its checks here. */
#ifndef PADDOCK_AUDIT_CHECK_H
#define PADDOCK_AUDIT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "audit/audit_keyscan.h"
#include "audit/audit_view.h"
#include "strbuf.h"
#include "svcconf.h"

enum audit_status { AUDIT_PASS, AUDIT_FAIL, AUDIT_SKIP };

struct audit_verdict {
	enum audit_status status;
	struct strbuf problems;     /* "; "-separated, the first few */
	unsigned nproblems;
	char *note;                 /* why it passed or was skipped */
};

/* A problem: the check fails. */
void verdict_fail(struct audit_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The thing checked is absent: a problem reading "missing: ...". */
void verdict_missing(struct audit_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Does not apply to this subject (a worker has no kube-apiserver). */
void verdict_skip(struct audit_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Says what was found when nothing fails. */
void verdict_note(struct audit_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text of the verdict's "why" column, in a new string (NULL: ENOMEM). */
char *verdict_why(const struct audit_verdict *v);
void verdict_clear(struct audit_verdict *v);

/* A file of OUT, as the OUT checks see it. */
struct audit_outfile {
	char *rel;                  /* "node1/node.img", "kube_config_x.yml", "etcd/ca.pem" */
	mode_t mode;                /* type and permission bits */
	bool operator;              /* handed to the operator (kubeconfig, etcd client, SSH files) */
};

/* One node of the output. */
struct audit_outnode {
	char *name;
	char **layers;              /* relative to OUT, boot order */
	struct key_hits keys;       /* keys in the layers only this node boots */
	bool has_secrets;           /* its layers hold keys or secret files */
	char *read_error;           /* why its layers could not be read, or NULL */
	size_t entries;             /* paths in its view */
};

/* A key found somewhere in OUT, for finding the same key elsewhere. */
struct audit_keyref {
	const struct key_hit *hit;
	size_t owner;               /* a node index, or one of the AUDIT_OWNER_ */
};
#define AUDIT_OWNER_SHARED ((size_t)-1)    /* a layer several nodes boot */
#define AUDIT_OWNER_OUT ((size_t)-2)       /* one of OUT's own files */
#define AUDIT_OWNER_OPERATOR ((size_t)-3)  /* an operator's file in OUT */

/* The whole output, filled as the nodes are read. */
struct audit_out {
	const char *dir;
	struct audit_outnode *nodes;
	size_t n;
	struct key_hits shared_keys;    /* keys in layers several nodes boot (base.img) */
	struct strv shared_layers;
	struct key_hits out_keys;       /* keys in OUT's own files, not operator files */
	struct key_hits operator_keys;  /* keys in the operator's files */
	struct audit_outfile *files;    /* OUT's files and directories */
	size_t nfiles;
	struct audit_keyref *keyidx;    /* every key above, sorted by fingerprint */
	size_t nkeyidx;
};

enum audit_subject_kind { AUDIT_NODE = 1, AUDIT_BASE = 2, AUDIT_OUT = 4 };

struct audit_subject {
	enum audit_subject_kind kind;
	const char *name;               /* node name, "base" or "OUT" */
	const struct audit_view *view;  /* AUDIT_NODE, in the node pass */
	const struct audit_out *out;
	size_t node;                    /* AUDIT_NODE: index in out->nodes */
};

struct audit_check {
	const char *item;
	const char *what;               /* one line for the README and --help */
	unsigned subjects;              /* AUDIT_NODE | AUDIT_BASE | AUDIT_OUT */
	bool after_nodes;               /* runs once every node is read (no view) */
	bool enforced;                  /* `paddock build` fails when it fails */
	const char *waits_for;          /* not enforced yet: the work that brings its subject */
	void (*run)(const struct audit_subject *s, struct audit_verdict *v);
};

/* The table of checks, in report order, ending with a NULL item. */
extern const struct audit_check audit_checks[];

/* audit_ssh.c */
void audit_ssh_config(const struct audit_subject *s, struct audit_verdict *v);
void audit_ssh_host_keys(const struct audit_subject *s, struct audit_verdict *v);
void audit_ssh_authorized_keys(const struct audit_subject *s, struct audit_verdict *v);
/* audit_accounts.c */
void audit_accounts(const struct audit_subject *s, struct audit_verdict *v);
void audit_image_accounts(const struct audit_subject *s, struct audit_verdict *v);
/* Whether /etc/passwd of the view has user; its uid and home (a new
 * string) in the out-parameters that are not NULL. */
bool audit_passwd_lookup(const struct audit_view *v, const char *user, unsigned *ret_uid, char **ret_home);
/* audit_files.c */
void audit_layers(const struct audit_subject *s, struct audit_verdict *v);
void audit_world_writable(const struct audit_subject *s, struct audit_verdict *v);
void audit_out_modes(const struct audit_subject *s, struct audit_verdict *v);
void audit_node_config(const struct audit_subject *s, struct audit_verdict *v);
/* audit_keys.c */
void audit_keys_confined(const struct audit_subject *s, struct audit_verdict *v);
void audit_secret_modes(const struct audit_subject *s, struct audit_verdict *v);
/* Whether the view holds a secret file by name (key paths, credentials). */
bool audit_has_secret_files(const struct audit_view *v);
/* Fills o->keyidx from the keys of o; -ENOMEM or 0. */
int audit_keys_index(struct audit_out *o);
/* audit_sysctl.c */
void audit_sysctl(const struct audit_subject *s, struct audit_verdict *v);
/* audit_k8s.c */
void audit_rbac(const struct audit_subject *s, struct audit_verdict *v);
void audit_audit_log(const struct audit_subject *s, struct audit_verdict *v);
void audit_etcd_files(const struct audit_subject *s, struct audit_verdict *v);
void audit_registry(const struct audit_subject *s, struct audit_verdict *v);
/* The view's os-service named name (SVCCONF_DIR/NN-NAME.conf) in *ret, to
 * free with svcconf_free; false when it has none that reads. */
bool audit_os_service(const struct audit_view *view, const char *name, struct svcconf *ret);

#endif
