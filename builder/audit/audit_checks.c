/* audit_checks: every check of `paddock audit`, in report order.
 *
 * `enforced` says whether `paddock build` fails on the check.  A check whose
 * subject no build produces yet fails with "missing" on every build, so it
 * is not enforced until the work named in waits_for lands: then flip it
 * here, in this one place. */
#include <stddef.h>

#include "audit/audit_check.h"

#define ROLES "role containers in /etc/paddock/containers/ (issue 12)"

const struct audit_check audit_checks[] = {
	{ "layers", "every node's layers read back (base.img, then node.img) as the kernel unpacks them",
	  AUDIT_NODE, true, true, NULL, audit_layers },
	{ "node-config", "/etc/paddock/node.conf present, readable, naming its own node",
	  AUDIT_NODE, false, true, NULL, audit_node_config },
	{ "ssh-config", "sshd key-only and hardened: no passwords, keyboard-interactive, empty passwords or "
			"root login, MaxAuthTries <= 3, no X11/agent/TCP forwarding, AllowUsers set, modern "
			"algorithms only (Match blocks and Includes included)",
	  AUDIT_NODE, false, true, NULL, audit_ssh_config },
	{ "ssh-host-keys", "host keys root-owned 0600 holding a private key, with .pub, and a host "
			   "certificate (HostCertificate)",
	  AUDIT_NODE, false, true, NULL, audit_ssh_host_keys },
	{ "ssh-authorized-keys", "each AllowUsers user has an account and an authorized key (not writable by "
				 "others, no private key in it)",
	  AUDIT_NODE, false, true, NULL, audit_ssh_authorized_keys },
	{ "accounts", "no password hash or empty password in /etc/shadow or /etc/passwd, /etc/shadow not "
		      "world-readable, uid 0 is root's alone",
	  AUDIT_NODE, false, true, NULL, audit_accounts },
	{ "image-accounts", "the same for the container images bundled in the image (the sshd image's "
			    "accounts are the ones SSH logs in to)",
	  AUDIT_NODE, false, true, NULL, audit_image_accounts },
	{ "keys-confined", "a private key is in its own node's layer only: none in base.img, none in two "
			   "nodes, none in OUT's own files",
	  AUDIT_NODE | AUDIT_BASE | AUDIT_OUT, true, true, NULL, audit_keys_confined },
	{ "secret-modes", "the node's private keys and secret files (host keys, TLS keys, kubeconfigs, "
			  "credentials, audit policy) are 0600",
	  AUDIT_NODE, false, true, NULL, audit_secret_modes },
	{ "etcd-files", "etcd certificates and keys owned by etcd's uid:gid (services.etcd), 0600",
	  AUDIT_NODE, false, true, NULL, audit_etcd_files },
	{ "audit-log", "kube-apiserver has --audit-policy-file (present, 0600), --audit-log-path (on a volume "
		       "from the host), -maxage, -maxbackup, -maxsize",
	  AUDIT_NODE, false, true, NULL, audit_audit_log },
	{ "rbac", "kube-apiserver --authorization-mode includes RBAC, never AlwaysAllow",
	  AUDIT_NODE, false, true, NULL, audit_rbac },
	{ "registry", "every image not bundled in the image comes from the default registry when one is set",
	  AUDIT_NODE, false, false, ROLES " and registry.default in node.conf", audit_registry },
	{ "sysctl", "the hardening sysctls are applied at boot and not weakened",
	  AUDIT_NODE, false, true, NULL, audit_sysctl },
	{ "world-writable", "no world-writable file or directory (sticky directories and /dev/null-like "
			    "devices aside)",
	  AUDIT_NODE, false, true, NULL, audit_world_writable },
	{ "out-modes", "node directories 0700; node layers holding secrets and the operator's files 0600",
	  AUDIT_NODE | AUDIT_OUT, true, true, NULL, audit_out_modes },
	{ NULL, NULL, 0, false, false, NULL, NULL },
};
