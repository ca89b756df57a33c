#include "serve/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "serve/access.h"
#include "serve/leases.h"
#include "serve/scripts.h"

enum kind { K_TEXT, K_SCRIPT, K_KERNEL, K_BASE, K_LAYER, K_LOADER, K_REPORT };

struct req {
	enum kind kind;
	bool head;
	size_t row;
	char peer[INET_ADDRSTRLEN];
	char mac[MAC_STR_LEN];
	unsigned long long size;
	struct strbuf body;
};

static const char *const stage_of[] = {
	[K_SCRIPT] = "script", [K_KERNEL] = "kernel", [K_BASE] = "base", [K_LAYER] = "layer", [K_LOADER] = "loader",
};

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *type, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_file(struct MHD_Connection *c, struct req *q, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return answer_text(c, MHD_HTTP_NOT_FOUND, "text/plain", "paddock: not found\n");
	}
	q->size = (unsigned long long)st.st_size;
	struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!r) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static char *out_path(struct serve_state *s, const char *rel)
{
	char *ipxe = path_join(s->out.dir, "ipxe");
	char *p = ipxe ? path_join(ipxe, rel) : NULL;
	free(ipxe);
	return p;
}

/* nodes/<node>.img: the access rule, every refusal logged. */
static enum MHD_Result layer(struct serve_state *s, struct MHD_Connection *c, struct req *q, size_t i, const char *url)
{
	const struct serve_node *n = &s->out.nodes[i];
	char *arp = neigh_read_table(), *leases = s->dhcp ? leases_read(s->lease_path) : NULL;
	struct in_addr peer = { 0 };
	inet_pton(AF_INET, q->peer, &peer);
	pthread_mutex_lock(&s->lock);
	bool used = s->once && s->once_used[i];
	pthread_mutex_unlock(&s->lock);
	struct access_query aq = {
		.peer = ntohl(peer.s_addr), .net = s->addr.addr, .mask = s->addr.mask, .peer_ip = q->peer,
		.iface = s->iface, .node_mac = n->mac, .neigh_text = arp ? arp : "",
		.lease_text = s->dhcp ? (leases ? leases : "") : NULL, .once_used = used,
	};
	enum access_verdict v = n->mac[0] ? access_check(&aq, q->mac) : ACCESS_WRONG_MAC;
	free(arp);
	free(leases);
	if (v != ACCESS_OK) {
		serve_log(s, "refused %s to %s (MAC %s): %s", url + 1, q->peer, q->mac[0] ? q->mac : "-", access_reason(v));
		serve_emit(s, &(struct fleet_event){ .when_ms = serve_now_ms(), .row = FLEET_NO_ROW, .mac = q->mac,
						     .ip = q->peer, .stage = "refused", .detail = url + 1 });
		return answer_text(c, v == ACCESS_ONCE_USED ? MHD_HTTP_GONE : MHD_HTTP_FORBIDDEN, "text/plain",
				   "paddock: this node layer is not for this machine\n");
	}
	q->row = i;
	char *p = out_path(s, url + 1);
	enum MHD_Result r = p ? answer_file(c, q, p) : MHD_NO;
	free(p);
	return r;
}

static enum MHD_Result script(struct serve_state *s, struct MHD_Connection *c, struct req *q, const char *url)
{
	char mac[MAC_STR_LEN], seen[MAC_STR_LEN];
	const char *name = url + 1;
	if (mac_from_hyphens(name, strlen(name) - 5, mac) < 0)
		return answer_text(c, MHD_HTTP_NOT_FOUND, "text/plain", "paddock: not found\n");
	size_t row = serve_row_for_mac(s, mac);
	q->kind = K_SCRIPT;
	strcpy(q->mac, mac);
	if (row == FLEET_NO_ROW || !s->node_scripts[row]) {
		serve_log(s, "unknown MAC %s (from %s): sent the not-a-node message", mac, q->peer);
		serve_emit(s, &(struct fleet_event){ .when_ms = serve_now_ms(), .row = FLEET_NO_ROW, .mac = mac,
						     .ip = q->peer, .stage = "unknown-mac" });
		char *t = script_unknown(mac);
		enum MHD_Result r = t ? answer_text(c, MHD_HTTP_OK, "text/plain", t) : MHD_NO;
		free(t);
		return r;
	}
	q->row = row;
	/* --once: the node's own script fetch (from an address the neighbour
	 * table ties to its MAC) starts a new boot cycle */
	if (s->once && !q->head && serve_row_for_peer(s, q->peer, seen) == row) {
		pthread_mutex_lock(&s->lock);
		s->once_used[row] = false;
		pthread_mutex_unlock(&s->lock);
	}
	q->size = strlen(s->node_scripts[row]);
	return answer_text(c, MHD_HTTP_OK, "text/plain", s->node_scripts[row]);
}

static enum MHD_Result report(struct serve_state *s, struct MHD_Connection *c, struct req *q)
{
	const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, REPORT_SIG_HEADER);
	struct report r;
	struct perr err = PERR_INIT;
	size_t i = 0;
	struct report_node *nodes = calloc(s->out.n ? s->out.n : 1, sizeof(*nodes));
	if (!nodes)
		return MHD_NO;
	for (size_t k = 0; k < s->out.n; k++)
		nodes[k] = s->out.nodes[k].report;
	int st;
	if (q->body.err) {
		st = 400;
		perr_set(&err, -E2BIG, "report longer than %d bytes", REPORT_MAX_BODY);
	} else {
		pthread_mutex_lock(&s->lock);
		st = report_accept(&s->book, nodes, s->out.n, q->body.s ? q->body.s : "", q->body.len, sig, &r, &i, &err);
		pthread_mutex_unlock(&s->lock);
	}
	free(nodes);
	if (st != 204) {
		serve_log(s, "report from %s rejected (%d): %s", q->peer, st, err.msg ? err.msg : "");
		perr_clear(&err);
		return answer_text(c, (unsigned)st, "text/plain", "paddock: report rejected\n");
	}
	serve_emit(s, &(struct fleet_event){ .when_ms = serve_now_ms(), .row = i, .ip = q->peer, .stage = r.stage,
					     .detail = r.detail, .from_node = true, .node_ms = r.t });
	report_clear(&r);
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = resp ? MHD_queue_response(c, MHD_HTTP_NO_CONTENT, resp) : MHD_NO;
	if (resp)
		MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result route(struct serve_state *s, struct MHD_Connection *c, struct req *q, const char *url)
{
	size_t len = strlen(url);
	if (!strcmp(url, "/boot.ipxe"))
		return answer_text(c, MHD_HTTP_OK, "text/plain", s->boot_script);
	if (len == 23 && !strcmp(url + 18, ".ipxe"))
		return script(s, c, q, url);
	if (!strcmp(url, "/snponly.efi") || !strcmp(url, "/undionly.kpxe")) {
		q->kind = K_LOADER;
		q->row = serve_row_for_peer(s, q->peer, q->mac);
		char *p = path_join(s->tftp_dir, url + 1);
		enum MHD_Result r = p ? answer_file(c, q, p) : MHD_NO;
		free(p);
		return r;
	}
	enum kind k = K_TEXT;
	size_t node = FLEET_NO_ROW;
	if (!strcmp(url, "/vmlinuz"))
		k = K_KERNEL;
	else if (!strcmp(url, "/base.img"))
		k = K_BASE;
	for (size_t i = 0; k == K_TEXT && !strncmp(url, "/nodes/", 7) && i < s->out.n; i++) {
		size_t nl = strlen(s->out.nodes[i].name);
		const char *rest = url + 7 + nl;
		if (strncmp(url + 7, s->out.nodes[i].name, nl) || (strcmp(rest, ".img") && strcmp(rest, ".vmlinuz")))
			continue;
		k = strcmp(rest, ".img") ? K_KERNEL : K_LAYER;
		node = i;
	}
	if (k == K_TEXT)
		return answer_text(c, MHD_HTTP_NOT_FOUND, "text/plain", "paddock: not found\n");
	q->kind = k;
	if (k == K_LAYER)
		return layer(s, c, q, node, url);
	q->row = serve_row_for_peer(s, q->peer, q->mac);
	char *p = out_path(s, url + 1);
	enum MHD_Result r = p ? answer_file(c, q, p) : MHD_NO;
	free(p);
	return r;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct serve_state *s = cls;
	struct req *q = *con_cls;
	(void)version;
	if (!q) {
		if (!(q = calloc(1, sizeof(*q))))
			return MHD_NO;
		q->row = FLEET_NO_ROW;
		q->body.max = REPORT_MAX_BODY;
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, q->peer, sizeof(q->peer));
		else
			strcpy(q->peer, "?");
		*con_cls = q;
		if (!strcmp(method, "POST") && !strcmp(url, "/report")) {
			q->kind = K_REPORT;
			return MHD_YES;
		}
	}
	if (q->kind == K_REPORT) {
		if (*upload_size) {
			sb_add(&q->body, upload, *upload_size);
			*upload_size = 0;
			return MHD_YES;
		}
		return report(s, c, q);
	}
	q->head = !strcmp(method, "HEAD");
	if (!q->head && strcmp(method, "GET"))
		return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "paddock: GET or HEAD only\n");
	return route(s, c, q, url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct serve_state *s = cls;
	struct req *q = *con_cls;
	(void)c;
	if (!q)
		return;
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && !q->head && q->kind != K_TEXT && q->kind != K_REPORT &&
	    q->row != FLEET_NO_ROW) {
		if (q->kind == K_LAYER && s->once) {
			pthread_mutex_lock(&s->lock);
			s->once_used[q->row] = true;
			pthread_mutex_unlock(&s->lock);
		}
		serve_emit(s, &(struct fleet_event){ .when_ms = serve_now_ms(), .row = q->row, .mac = q->mac,
						     .ip = q->peer, .stage = stage_of[q->kind], .bytes = q->size });
	}
	sb_free(&q->body);
	free(q);
	*con_cls = NULL;
}

int http_start(struct serve_state *s, struct MHD_Daemon **ret, struct perr *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s->port) };
	inet_pton(AF_INET, s->addr.ip, &sa.sin_addr);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
		(uint16_t)s->port, NULL, NULL, handle, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)512, MHD_OPTION_END);
	if (!d)
		return perr_set(err, -EADDRINUSE, "cannot listen on %s:%d", s->addr.ip, s->port);
	*ret = d;
	return 0;
}

void http_stop(struct MHD_Daemon *d)
{
	if (d)
		MHD_stop_daemon(d);
}
