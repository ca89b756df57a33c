#include "docker_api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "curl_cancel.h"
#include "json.h"
#include "strbuf.h"

#define API_PREFIX "http://localhost/v1.41"
#define MAX_RESPONSE (64u << 20)
/* a pull of a large image over a slow link; the stream keeps it alive */
#define PULL_TIMEOUT 1800L

struct docker {
	char *sock;
	CURL *curl;
	long timeout;
	const volatile sig_atomic_t *cancel;
};

int docker_open(const char *sock, struct docker **out, struct perr *err)
{
	struct docker *d;

	if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
		return perr_set(err, -EIO, "docker: curl_global_init failed");
	d = calloc(1, sizeof(*d));
	if (!d)
		return perr_set(err, -ENOMEM, "docker: out of memory");
	d->sock = strdup(sock);
	d->curl = curl_easy_init();
	d->timeout = 60;
	if (!d->sock || !d->curl) {
		docker_close(d);
		return perr_set(err, -ENOMEM, "docker: out of memory");
	}
	*out = d;
	return 0;
}

void docker_close(struct docker *d)
{
	if (!d)
		return;
	if (d->curl)
		curl_easy_cleanup(d->curl);
	free(d->sock);
	free(d);
}

void docker_set_timeout(struct docker *d, long seconds)
{
	d->timeout = seconds < 0 ? 0 : seconds;
}

void docker_set_cancel(struct docker *d, const volatile sig_atomic_t *flag)
{
	d->cancel = flag;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct strbuf *sb = ud;
	size_t n = size * nmemb;

	sb_add(sb, ptr, n);
	return sb->err ? 0 : n;
}

struct upload {
	FILE *f;
	const char *buf;
	size_t len, off;
};

static size_t on_read(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nmemb;

	if (u->f) {
		size_t got = fread(ptr, 1, n, u->f);
		if (got == 0 && ferror(u->f))
			return CURL_READFUNC_ABORT;
		return got;
	}
	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(ptr, u->buf + u->off, n);
	u->off += n;
	return n;
}

/* The daemon's {"message": "..."} or the raw body, for error texts. */
static char *error_message(const struct strbuf *resp)
{
	struct json *j = NULL;
	char *msg = NULL;

	if (resp->s && json_parse(resp->s, resp->len, &j, NULL) == 0) {
		const char *m = json_str_at(j, "message");
		if (m)
			msg = strdup(m);
	}
	json_free(j);
	if (!msg) {
		msg = strndup(resp->s ? resp->s : "", 200);
		if (msg) {
			size_t n = strlen(msg);
			while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
				msg[--n] = '\0';
		}
	}
	return msg;
}

static int status_to_code(long status)
{
	switch (status) {
	case 404: return -ENOENT;
	case 409: return -EEXIST;
	case 400: return -EINVAL;
	default: return -EIO;
	}
}

/* One HTTP exchange.  body_json or upload (a file) or neither.  Fills
 * *status and resp; returns 0 on a transport success whatever the status. */
static int request(struct docker *d, const char *method, const char *path, const char *body_json,
		   FILE *upload, curl_off_t upload_len, const char *header, long timeout, long *status,
		   struct strbuf *resp, struct perr *err)
{
	struct curl_slist *hdrs = NULL;
	struct upload up = { upload, body_json, body_json ? strlen(body_json) : 0, 0 };
	char *url = NULL;
	CURLcode rc;
	int r = 0;

	if (asprintf(&url, API_PREFIX "%s", path) < 0)
		return perr_set(err, -ENOMEM, "docker: out of memory");
	resp->max = MAX_RESPONSE;
	curl_easy_reset(d->curl);
	curl_easy_setopt(d->curl, CURLOPT_UNIX_SOCKET_PATH, d->sock);
	curl_easy_setopt(d->curl, CURLOPT_URL, url);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, resp);
	curl_cancel_on(d->curl, d->cancel);
	if (!strcmp(method, "POST")) {
		curl_easy_setopt(d->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(d->curl, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(d->curl, CURLOPT_READDATA, &up);
		curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 upload ? upload_len : (curl_off_t)up.len);
		hdrs = curl_slist_append(hdrs, upload ? "Content-Type: application/x-tar"
						       : "Content-Type: application/json");
		hdrs = curl_slist_append(hdrs, "Expect:");
		if (hdrs && header)
			hdrs = curl_slist_append(hdrs, header);
		if (!hdrs) {
			free(url);
			return perr_set(err, -ENOMEM, "docker: out of memory");
		}
		curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, hdrs);
	} else if (strcmp(method, "GET")) {
		curl_easy_setopt(d->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(d->curl);
	if (rc != CURLE_OK) {
		if (resp->err)
			r = perr_set(err, resp->err, "docker: %s %s: response too large or out of memory", method, path);
		else
			r = perr_set(err, rc == CURLE_COULDNT_CONNECT ? -ECONNREFUSED :
					  rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT :
					  rc == CURLE_ABORTED_BY_CALLBACK ? -ECANCELED : -EIO,
				     "docker: %s %s: %s", method, path, curl_easy_strerror(rc));
	} else {
		curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, status);
	}
	curl_slist_free_all(hdrs);
	free(url);
	return r;
}

/* A request whose only interesting outcome is the status: 2xx (and the
 * codes in ok_also) succeed, anything else carries the daemon's message. */
static int simple(struct docker *d, const char *method, const char *path, const char *body,
		  long timeout, long ok_also, struct strbuf *resp_out, struct perr *err)
{
	struct strbuf resp = STRBUF_INIT;
	long status = 0;
	int r;

	r = request(d, method, path, body, NULL, 0, NULL, timeout, &status, &resp, err);
	if (r == 0 && !((status >= 200 && status < 300) || status == ok_also)) {
		char *msg = error_message(&resp);
		r = perr_set(err, status_to_code(status), "docker: %s %s: HTTP %ld: %s", method, path,
			     status, msg ? msg : "");
		free(msg);
	}
	if (r == 0 && resp_out) {
		*resp_out = resp;
		return 0;
	}
	sb_free(&resp);
	return r;
}

/* "/containers/<escaped id><suffix>" */
static char *cpath(struct docker *d, const char *id, const char *suffix)
{
	char *esc = curl_easy_escape(d->curl, id, 0), *p = NULL;

	if (!esc)
		return NULL;
	if (asprintf(&p, "/containers/%s%s", esc, suffix) < 0)
		p = NULL;
	curl_free(esc);
	return p;
}

/* simple() on a path made for the call: freed here; NULL means memory ran
 * out making it. */
static int simple_at(struct docker *d, const char *method, char *path, const char *body,
		     long timeout, long ok_also, struct strbuf *resp_out, struct perr *err)
{
	int r;

	if (!path)
		return perr_set(err, -ENOMEM, "docker: out of memory");
	r = simple(d, method, path, body, timeout, ok_also, resp_out, err);
	free(path);
	return r;
}

/* simple_at() for an answer that is a JSON document: *ret_j (json_free
 * it).  A body that does not parse is reported as "docker: <what> <name>:
 * ..." (as the parser said when what is NULL). */
static int simple_json(struct docker *d, const char *method, char *path, const char *body,
		       long timeout, const char *what, const char *name, struct json **ret_j,
		       struct perr *err)
{
	struct strbuf resp = STRBUF_INIT;
	int r;

	if ((r = simple_at(d, method, path, body, timeout, 0, &resp, err)) < 0)
		return r;
	if ((r = json_parse(resp.s ? resp.s : "", resp.len, ret_j, err)) < 0 && what)
		r = perr_wrap(err, "docker: %s %s", what, name);
	sb_free(&resp);
	return r;
}

int docker_ping(struct docker *d, struct perr *err)
{
	struct strbuf resp = STRBUF_INIT;
	int r = simple(d, "GET", "/_ping", NULL, d->timeout, 0, &resp, err);

	if (r == 0 && (!resp.s || strncmp(resp.s, "OK", 2)))
		r = perr_set(err, -EIO, "docker: /_ping answered '%.40s'", resp.s ? resp.s : "");
	sb_free(&resp);
	return r;
}

/* A stream of JSON messages (load, pull) that failed midway says
 * {"errorDetail":..,"error":".."}: the first such error, or NULL. */
static char *stream_error(const struct strbuf *resp)
{
	char *line = resp->s, *nl, *msg = NULL;

	for (; line && *line && !msg; line = nl ? nl + 1 : NULL) {
		struct json *j = NULL;
		nl = strchr(line, '\n');
		if (json_parse(line, nl ? (size_t)(nl - line) : strlen(line), &j, NULL) == 0) {
			const char *e = json_str_at(j, "error");
			if (e)
				msg = strdup(e);
		}
		json_free(j);
	}
	return msg;
}

int docker_image_load(struct docker *d, const char *path, struct perr *err)
{
	struct strbuf resp = STRBUF_INIT;
	struct stat st;
	long status = 0;
	FILE *f;
	int r;

	f = fopen(path, "rb");
	if (!f)
		return perr_set(err, -errno, "docker: %s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) < 0) {
		r = perr_set(err, -errno, "docker: %s: %s", path, strerror(errno));
		fclose(f);
		return r;
	}
	r = request(d, "POST", "/images/load?quiet=1", NULL, f, (curl_off_t)st.st_size, NULL, 0, &status,
		    &resp, err);
	fclose(f);
	if (r == 0 && (status < 200 || status >= 300)) {
		char *msg = error_message(&resp);
		r = perr_set(err, status_to_code(status), "docker: load %s: HTTP %ld: %s", path, status,
			     msg ? msg : "");
		free(msg);
	} else if (r == 0) {
		char *e = stream_error(&resp);
		if (e)
			r = perr_set(err, -EIO, "docker: load %s: %s", path, e);
		free(e);
	}
	sb_free(&resp);
	return r;
}

int docker_image_exists(struct docker *d, const char *ref, struct perr *err)
{
	char *p = NULL;

	/* references keep their '/' and ':' in the path, as the docker CLI sends them */
	if (!*ref || strspn(ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:@") != strlen(ref))
		return perr_set(err, -EINVAL, "docker: bad image reference '%s'", ref);
	if (asprintf(&p, "/images/%s/json", ref) < 0)
		p = NULL;
	return simple_at(d, "GET", p, NULL, d->timeout, 0, NULL, err);
}

/* Words of the daemon's message, lower-cased, that tell the cause. */
static bool says(const char *lower, const char *const *words)
{
	for (; *words; words++)
		if (strstr(lower, *words))
			return true;
	return false;
}

enum docker_pull_fail docker_pull_classify(long status, const char *msg)
{
	static const char *const auth[] = { "unauthorized", "authentication required", "no basic auth credentials",
					    "incorrect username or password", "access denied", "denied:", NULL };
	static const char *const tls[] = { "x509:", "certificate", "tls:", NULL };
	static const char *const gone[] = { "connection refused", "no route to host", "i/o timeout", "no such host",
					    "network is unreachable", "connection reset", "timeout exceeded",
					    "dial tcp", "eof", "server misbehaving", "temporary failure", NULL };
	static const char *const missing[] = { "manifest unknown", "not found", "name unknown",
					       "does not exist", NULL };
	char *lower = strdup(msg ? msg : "");
	enum docker_pull_fail c = DOCKER_PULL_OTHER;

	for (char *p = lower; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (status == 401 || status == 403 || (lower && says(lower, auth)))
		c = DOCKER_PULL_AUTH;
	else if (lower && says(lower, tls))
		c = DOCKER_PULL_TLS;
	else if (lower && says(lower, gone))
		c = DOCKER_PULL_UNREACHABLE;
	else if (status == 404 || (lower && says(lower, missing)))
		c = DOCKER_PULL_NOT_FOUND;
	free(lower);
	return c;
}

const char *docker_pull_fail_name(enum docker_pull_fail c)
{
	switch (c) {
	case DOCKER_PULL_AUTH: return "wrong credentials";
	case DOCKER_PULL_UNREACHABLE: return "registry unreachable";
	case DOCKER_PULL_NOT_FOUND: return "image not found";
	case DOCKER_PULL_TLS: return "registry certificate not trusted";
	default: return "pull failed";
	}
}

int docker_image_pull(struct docker *d, const char *ref, const char *auth, enum docker_pull_fail *ret_class,
		      struct perr *err)
{
	struct strbuf resp = STRBUF_INIT;
	const char *slash = strrchr(ref, '/');
	bool tagged = strchr(slash ? slash : ref, ':') || strchr(ref, '@');
	char *esc = NULL, *path = NULL, *header = NULL, *msg = NULL;
	long status = 0;
	int r;

	*ret_class = DOCKER_PULL_OTHER;
	if (!*ref || strspn(ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:@") != strlen(ref))
		return perr_set(err, -EINVAL, "docker: bad image reference '%s'", ref);
	/* a reference without a tag would pull every tag */
	esc = curl_easy_escape(d->curl, ref, 0);
	if (!esc || asprintf(&path, "/images/create?fromImage=%s%s", esc, tagged ? "" : "%3Alatest") < 0)
		path = NULL;
	curl_free(esc);
	if (!path || (auth && asprintf(&header, "X-Registry-Auth: %s", auth) < 0)) {
		free(path);
		return perr_set(err, -ENOMEM, "docker: out of memory");
	}
	r = request(d, "POST", path, "", NULL, 0, header, PULL_TIMEOUT, &status, &resp, err);
	if (header)
		memset(header, 0, strlen(header));
	free(header);
	free(path);
	if (r < 0) {
		sb_free(&resp);
		return r;
	}
	if (status < 200 || status >= 300)
		msg = error_message(&resp);
	else
		msg = stream_error(&resp);
	if (msg) {
		*ret_class = docker_pull_classify(status >= 200 && status < 300 ? 0 : status, msg);
		r = perr_set(err, status == 404 ? -ENOENT : status == 401 || status == 403 ? -EACCES : -EIO,
			     "%s", msg);
	} else if (status < 200 || status >= 300) {
		*ret_class = docker_pull_classify(status, "");
		r = perr_set(err, -EIO, "HTTP %ld", status);
	}
	free(msg);
	sb_free(&resp);
	return r;
}

int docker_container_create(struct docker *d, const char *name, const char *json_body,
			    char **ret_id, struct perr *err)
{
	struct json *j = NULL;
	char *esc, *p = NULL;
	const char *id;
	int r;

	esc = curl_easy_escape(d->curl, name, 0);
	if (esc && asprintf(&p, "/containers/create?name=%s", esc) < 0)
		p = NULL;
	curl_free(esc);
	if ((r = simple_json(d, "POST", p, json_body, d->timeout, "create", name, &j, err)) < 0)
		return r;
	id = json_str_at(j, "Id");
	if (!id)
		r = perr_set(err, -EIO, "docker: create %s: no Id in answer", name);
	else if (ret_id && !(*ret_id = strdup(id)))
		r = perr_set(err, -ENOMEM, "docker: out of memory");
	json_free(j);
	return r;
}

/* POST to /containers/ID<suffix> expecting 2xx (or ok_also). */
static int container_post(struct docker *d, const char *id, const char *suffix, long timeout,
			  long ok_also, struct perr *err)
{
	return simple_at(d, "POST", cpath(d, id, suffix), NULL, timeout, ok_also, NULL, err);
}

int docker_container_start(struct docker *d, const char *id, struct perr *err)
{
	return container_post(d, id, "/start", d->timeout, 304, err);
}

int docker_container_stop(struct docker *d, const char *id, int timeout_s, struct perr *err)
{
	char suffix[32];
	long t = d->timeout ? d->timeout + timeout_s : 0;

	snprintf(suffix, sizeof(suffix), "/stop?t=%d", timeout_s < 0 ? 0 : timeout_s);
	return container_post(d, id, suffix, t, 304, err);
}

int docker_container_kill(struct docker *d, const char *id, const char *signal, struct perr *err)
{
	char *esc = curl_easy_escape(d->curl, signal, 0), *suffix = NULL;
	int r;

	if (!esc || asprintf(&suffix, "/kill?signal=%s", esc) < 0) {
		curl_free(esc);
		return perr_set(err, -ENOMEM, "docker: out of memory");
	}
	curl_free(esc);
	r = container_post(d, id, suffix, d->timeout, 0, err);
	free(suffix);
	return r;
}

int docker_container_remove(struct docker *d, const char *id, bool force, struct perr *err)
{
	return simple_at(d, "DELETE", cpath(d, id, force ? "?force=1&v=1" : "?v=1"), NULL, d->timeout,
			 0, NULL, err);
}

int docker_container_inspect(struct docker *d, const char *id, struct docker_state *st,
			     struct perr *err)
{
	struct json *j = NULL;
	const char *s;
	int r;

	if ((r = simple_json(d, "GET", cpath(d, id, "/json"), NULL, d->timeout, "inspect", id, &j,
			     err)) < 0)
		return r;
	memset(st, 0, sizeof(*st));
	s = json_str_at(j, "Id");
	st->id = strdup(s ? s : "");
	s = json_str_at(j, "State.Status");
	st->status = strdup(s ? s : "unknown");
	s = json_str_at(j, "State.StartedAt");
	st->started_at = strdup(s ? s : "");
	st->running = json_bool_at(j, "State.Running", false);
	st->exit_code = (int)json_num_at(j, "State.ExitCode", 0);
	st->pid = (int)json_num_at(j, "State.Pid", 0);
	st->restart_count = (int)json_num_at(j, "RestartCount", 0);
	json_free(j);
	if (!st->id || !st->status || !st->started_at) {
		docker_state_free(st);
		return perr_set(err, -ENOMEM, "docker: out of memory");
	}
	return 0;
}

void docker_state_free(struct docker_state *st)
{
	free(st->id);
	free(st->status);
	free(st->started_at);
	memset(st, 0, sizeof(*st));
}

int docker_container_wait(struct docker *d, const char *id, int *ret_exit_code, struct perr *err)
{
	struct json *j = NULL;
	int r;

	if ((r = simple_json(d, "POST", cpath(d, id, "/wait"), NULL, 0, NULL, NULL, &j, err)) < 0)
		return r;
	if (!json_path(j, "StatusCode"))
		r = perr_set(err, -EIO, "docker: wait %s: no StatusCode in answer", id);
	else if (ret_exit_code)
		*ret_exit_code = (int)json_num_at(j, "StatusCode", -1);
	json_free(j);
	return r;
}

static int logs_to_sb(void *arg, const char *data, size_t len)
{
	struct strbuf *sb = arg;
	sb_add(sb, data, len);
	return sb->err;
}

int docker_container_logs(struct docker *d, const char *id, unsigned tail, char **ret_logs,
			  size_t *ret_len, struct perr *err)
{
	struct strbuf out = STRBUF_INIT;
	int r;

	out.max = MAX_RESPONSE;
	sb_add(&out, "", 0);
	if ((r = docker_container_logs_stream(d, id, tail, logs_to_sb, &out, err)) < 0 || out.err) {
		if (out.err)
			r = perr_set(err, out.err, "docker: logs %s: too long or out of memory", id);
		sb_free(&out);
		return r;
	}
	*ret_len = out.len;
	*ret_logs = sb_steal(&out);
	return 0;
}

/* A streamed logs answer: the demuxer and the sink while the status is
 * 200, the daemon's message (bounded) otherwise. */
struct logs_stream {
	CURL *curl;
	struct log_demux m;
	log_sink sink;
	void *arg;
	int sink_err;
	struct strbuf errbody;
};

static size_t on_logs(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct logs_stream *ls = ud;
	size_t n = size * nmemb;
	long status = 0;

	curl_easy_getinfo(ls->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		if (ls->errbody.len < 4096)
			sb_add(&ls->errbody, ptr, n < 4096 ? n : 4096);
		return n;
	}
	if ((ls->sink_err = log_demux_feed(&ls->m, ptr, n, ls->sink, ls->arg)) < 0)
		return 0;
	return n;
}

int docker_container_logs_stream(struct docker *d, const char *id, unsigned tail, log_sink sink, void *arg,
				 struct perr *err)
{
	struct logs_stream ls = { .curl = d->curl, .m = LOG_DEMUX_INIT, .sink = sink, .arg = arg,
				  .errbody = STRBUF_INIT };
	char suffix[80], *path, *url = NULL;
	long status = 0;
	CURLcode rc;
	int r = 0;

	snprintf(suffix, sizeof(suffix), tail ? "/logs?stdout=1&stderr=1&tail=%u" : "/logs?stdout=1&stderr=1", tail);
	path = cpath(d, id, suffix);
	if (!path || asprintf(&url, API_PREFIX "%s", path) < 0) {
		free(path);
		return perr_set(err, -ENOMEM, "docker: out of memory");
	}
	curl_easy_reset(d->curl);
	curl_easy_setopt(d->curl, CURLOPT_UNIX_SOCKET_PATH, d->sock);
	curl_easy_setopt(d->curl, CURLOPT_URL, url);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, d->timeout);
	curl_easy_setopt(d->curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_logs);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, &ls);
	curl_cancel_on(d->curl, d->cancel);
	rc = curl_easy_perform(d->curl);
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	if (ls.sink_err < 0)
		r = perr_set(err, ls.sink_err, "docker: GET %s: stopped by the reader", path);
	else if (rc != CURLE_OK)
		r = perr_set(err, rc == CURLE_COULDNT_CONNECT ? -ECONNREFUSED : rc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT :
				  rc == CURLE_ABORTED_BY_CALLBACK ? -ECANCELED : -EIO,
			     "docker: GET %s: %s", path, curl_easy_strerror(rc));
	else if (status != 200) {
		char *msg = error_message(&ls.errbody);
		r = perr_set(err, status_to_code(status), "docker: GET %s: HTTP %ld: %s", path, status, msg ? msg : "");
		free(msg);
	} else if ((r = log_demux_end(&ls.m, sink, arg)) < 0)
		r = perr_set(err, r, "docker: GET %s: stopped by the reader", path);
	sb_free(&ls.errbody);
	free(url);
	free(path);
	return r;
}
