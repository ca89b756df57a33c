#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const sysctl_hardening[] = {
	/* kernel pointers and the kernel log are for root only */
	"kernel.kptr_restrict=2",
	"kernel.dmesg_restrict=1",
	"kernel.perf_event_paranoid=3",
	"kernel.unprivileged_bpf_disabled=1",
	"net.core.bpf_jit_harden=2",
	"kernel.kexec_load_disabled=1",
	"kernel.yama.ptrace_scope=1",
	"kernel.sysrq=0",
	/* Ctrl-Alt-Del becomes SIGINT to init: a clean shutdown, not a reset */
	"kernel.ctrl-alt-del=0",
	"dev.tty.ldisc_autoload=0",
	"fs.protected_symlinks=1",
	"fs.protected_hardlinks=1",
	"fs.protected_fifos=2",
	"fs.protected_regular=2",
	"fs.suid_dumpable=0",
	/* reverse-path filtering, no source routing, no redirects */
	"net.ipv4.conf.all.rp_filter=1",
	"net.ipv4.conf.default.rp_filter=1",
	"net.ipv4.conf.all.accept_source_route=0",
	"net.ipv4.conf.default.accept_source_route=0",
	"net.ipv4.conf.all.accept_redirects=0",
	"net.ipv4.conf.default.accept_redirects=0",
	"net.ipv4.conf.all.secure_redirects=0",
	"net.ipv4.conf.default.secure_redirects=0",
	"net.ipv4.conf.all.send_redirects=0",
	"net.ipv4.conf.default.send_redirects=0",
	"net.ipv4.conf.all.log_martians=1",
	"net.ipv4.icmp_echo_ignore_broadcasts=1",
	"net.ipv4.icmp_ignore_bogus_error_responses=1",
	"net.ipv4.tcp_syncookies=1",
	"net.ipv6.conf.all.accept_source_route=0",
	"net.ipv6.conf.default.accept_source_route=0",
	"net.ipv6.conf.all.accept_redirects=0",
	"net.ipv6.conf.default.accept_redirects=0",
	/* the kernel defaults the kubelet expects: with --protect-kernel-defaults
	 * (RKE's hardened flags, CIS Kubernetes 4.2.6) it refuses to start
	 * ("invalid kernel flag: vm/overcommit_memory, expected value: 1")
	 * rather than change them itself */
	"vm.overcommit_memory=1",
	"vm.panic_on_oom=0",
	"kernel.panic=10",
	"kernel.panic_on_oops=1",
	"kernel.keys.root_maxkeys=1000000",
	"kernel.keys.root_maxbytes=25000000",
	NULL,
};

int sysctl_apply(const char *procsys, const char *const *settings, size_t *ret_applied, struct strv *missing,
		 struct perr *err)
{
	size_t applied = 0;
	int r = 0;

	for (; *settings; settings++) {
		const char *kv = *settings, *value = strchr(kv, '=');
		size_t kl = value ? (size_t)(value - kv) : strlen(kv);
		char *path = NULL;
		int fd;
		ssize_t n;

		if (!value) {
			if (r == 0)
				r = perr_set(err, -EINVAL, "%s: not key=value", kv);
			continue;
		}
		value++;
		if (asprintf(&path, "%s/%.*s", procsys, (int)kl, kv) < 0)
			return perr_set(err, -ENOMEM, "out of memory");
		for (char *p = path + strlen(procsys) + 1; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			strv_addf(missing, "%.*s", (int)kl, kv);
			free(path);
			continue;
		}
		errno = 0;
		n = fd < 0 ? -1 : write(fd, value, strlen(value));
		if (n != (ssize_t)strlen(value)) {
			int e = errno ? errno : EIO;
			if (r == 0)
				r = perr_set(err, -e, "%s: %s", kv, strerror(e));
		} else {
			applied++;
		}
		if (fd >= 0)
			close(fd);
		free(path);
	}
	*ret_applied = applied;
	if (missing->oom && r == 0)
		r = perr_set(err, -ENOMEM, "out of memory");
	return r;
}
