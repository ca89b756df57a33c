#include "serve/serve.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "components/listfile.h"
#include "fsutil.h"
#include "serve/dnsmasq_child.h"
#include "serve/dnsmasq_log.h"
#include "serve/http.h"

/* One line of dnsmasq's log: kept on stderr, and the DHCP and loader stages. */
static void dnsmasq_line(struct serve_state *s, const char *line)
{
	struct dnsmasq_line d;
	char mac[MAC_STR_LEN];
	fprintf(stderr, "%s\n", line);
	dnsmasq_log_parse(line, &d);
	/* an offer (full DHCP) or a ProxyDHCP answer; the ack repeats the offer */
	if (d.kind == DNSMASQ_DHCP && !strstr(line, "DHCPACK("))
		serve_emit(s, &(struct fleet_event){ .when_ms = serve_now_ms(), .row = serve_row_for_mac(s, d.mac),
						     .mac = d.mac, .ip = d.ip, .stage = "dhcp" });
	else if (d.kind == DNSMASQ_TFTP_SENT)
		serve_emit(s, &(struct fleet_event){ .when_ms = serve_now_ms(), .row = serve_row_for_peer(s, d.ip, mac),
						     .mac = mac, .ip = d.ip, .stage = "loader", .detail = d.file });
}

static int pump(struct serve_state *s, int fd, struct strbuf *pending)
{
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		sb_add(pending, buf, (size_t)n);
		char *nl;
		while (pending->s && (nl = memchr(pending->s, '\n', pending->len))) {
			*nl = 0;
			dnsmasq_line(s, pending->s);
			size_t rest = pending->len - (size_t)(nl + 1 - pending->s);
			memmove(pending->s, nl + 1, rest);
			pending->len = rest;
			pending->s[rest] = 0;
		}
		if (pending->len > 8192) /* a line that long is no line of dnsmasq's */
			pending->len = 0;
	}
	return n == 0 ? -EPIPE : 0;
}

int serve_run(struct serve_state *s, struct perr *err)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	struct MHD_Daemon *d = NULL;
	struct dnsmasq_child c = { -1, -1 };
	struct strbuf pending = STRBUF_INIT;
	int r = sfd < 0 ? perr_set(err, -errno, "signalfd: %s", strerror(errno)) : http_start(s, &d, err);
	if (r >= 0)
		r = dnsmasq_start(s->conf_path, &c, err);
	if (r >= 0) {
		serve_log(s, "serving %s on %s: %s (%s), TFTP loaders from %s, dnsmasq pid %d", s->out.dir, s->iface,
			  s->base_url, s->dhcp ? "full DHCP" : "ProxyDHCP", s->tftp_dir, (int)c.pid);
		if (!s->addr.ipv6)
			serve_log(s, "%s has no IPv6 address: no router advertisements, and iPXE waits about 16 s for "
				  "them (give %s one, e.g. fd77::1/64)", s->iface, s->iface);
		serve_redraw(s);
	}
	while (r >= 0) {
		struct pollfd p[2] = { { sfd, POLLIN, 0 }, { c.log_fd, POLLIN, 0 } };
		if (poll(p, c.log_fd >= 0 ? 2 : 1, 1000) < 0 && errno != EINTR) {
			r = perr_set(err, -errno, "poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents && pump(s, c.log_fd, &pending) == -EPIPE) {
			close(c.log_fd);
			c.log_fd = -1;
		}
		struct signalfd_siginfo si;
		bool stop = false;
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			int st;
			if (si.ssi_signo != SIGCHLD)
				stop = true;
			else if (waitpid(c.pid, &st, WNOHANG) == c.pid) {
				c.pid = -1;
				r = perr_set(err, -ECHILD, "dnsmasq exited (%s %d); its last lines are above",
					     WIFEXITED(st) ? "status" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			}
		}
		if (stop)
			break;
		serve_redraw(s);
	}
	if (c.log_fd >= 0)
		pump(s, c.log_fd, &pending);
	dnsmasq_stop(&c);
	http_stop(d);
	sb_free(&pending);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

int serve_status(const char *out, FILE *f, struct perr *err)
{
	char *path = path_join(out, SERVE_STATUS_REL), *buf = NULL;
	struct fleet fl = { 0 };
	struct strbuf sb = STRBUF_INIT;
	long long updated = 0;
	size_t len;
	int r = path ? read_file(path, 16u << 20, &buf, &len, err) : perr_set(err, -ENOMEM, "out of memory");
	if (r < 0)
		perr_wrap(err, "no state of `paddock serve` in %s", out);
	else if ((r = fleet_status_parse(buf, len, &fl, &updated, err)) < 0)
		perr_wrap(err, "%s", path);
	if (r >= 0) {
		long long now = serve_now_ms();
		fleet_table(&sb, &fl, now);
		sb_printf(&sb, "(state of %lld s ago)\n", (now - updated) / 1000);
		if (!sb.s || fputs(sb.s, f) < 0)
			r = perr_set(err, -EIO, "cannot write the table");
	}
	sb_free(&sb);
	fleet_free(&fl);
	free(buf);
	free(path);
	return r;
}
