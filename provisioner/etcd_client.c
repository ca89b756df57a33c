#include "etcd_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "curl_cancel.h"
#include "json.h"
#include "strbuf.h"

#define MAX_ANSWER (4u << 20)

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct strbuf *sb = ud;
	size_t n = size * nmemb;

	sb_add(sb, ptr, n);
	return sb->err ? 0 : n;
}

void etcd_client_close(struct etcd_client *c)
{
	if (c->handle)
		curl_easy_cleanup(c->handle);
	c->handle = NULL;
}

struct etcd_client etcd_client_like(const struct etcd_client *c, long timeout_ms)
{
	struct etcd_client q = { c->ca, c->cert, c->key, timeout_ms, NULL, c->cancel };

	return q;
}

/* One request; body NULL: GET, else POST of that JSON.  *ret: the answer. */
static int call(struct etcd_client *c, const char *url, const char *path, const char *body,
		struct strbuf *ret, struct perr *err)
{
	struct curl_slist *h = NULL;
	char *full = NULL;
	long status = 0;
	CURLcode cc;
	CURL *k = c->handle;
	int r = 0;

	if (!k && (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(k = c->handle = curl_easy_init())))
		return perr_set(err, -ENOMEM, "curl: cannot start");
	curl_easy_reset(k);
	ret->max = MAX_ANSWER;
	if (asprintf(&full, "%s%s", url, path) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	curl_easy_setopt(k, CURLOPT_URL, full);
	curl_easy_setopt(k, CURLOPT_CAINFO, c->ca);
	curl_easy_setopt(k, CURLOPT_SSLCERT, c->cert);
	curl_easy_setopt(k, CURLOPT_SSLKEY, c->key);
	curl_easy_setopt(k, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(k, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, c->timeout_ms > 0 ? c->timeout_ms : 5000L);
	curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms > 0 ? c->timeout_ms : 5000L);
	curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(k, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(k, CURLOPT_WRITEDATA, ret);
	curl_cancel_on(k, c->cancel);
	if (body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(k, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(k, CURLOPT_POSTFIELDS, body);
	}
	cc = curl_easy_perform(k);
	if (cc != CURLE_OK)
		r = perr_set(err, cc == CURLE_OPERATION_TIMEDOUT ? -ETIMEDOUT :
				  cc == CURLE_ABORTED_BY_CALLBACK ? -ECANCELED : -ECONNREFUSED, "%s: %s", full,
			     curl_easy_strerror(cc));
	else if (curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &status), status != 200)
		r = perr_set(err, -EIO, "%s: HTTP %ld: %.200s", full, status, ret->s ? ret->s : "");
	else if (ret->err)
		r = perr_set(err, ret->err, "%s: answer too large", full);
	curl_slist_free_all(h);
	free(full);
	return r;
}

int etcd_health(struct etcd_client *c, const char *url, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct json *j = NULL;
	int r = call(c, url, "/health", NULL, &sb, err);

	if (r == 0 && (r = json_parse(sb.s ? sb.s : "", sb.len, &j, err)) == 0) {
		const char *h = json_str_at(j, "health");
		if (!h || strcmp(h, "true"))
			r = perr_set(err, -EAGAIN, "%s/health: %.200s", url, sb.s);
	}
	json_free(j);
	sb_free(&sb);
	return r;
}

/* A uint64 the gateway wrote as a string (or, from other writers, a number). */
static uint64_t id_of(const struct json *v)
{
	if (v && v->type == JSON_STR)
		return strtoull(v->str, NULL, 10);
	if (v && v->type == JSON_NUM)
		return (uint64_t)v->num;
	return 0;
}

void etcd_members_free(struct etcd_member *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].peer_url);
		free(v[i].client_url);
	}
	free(v);
}

int etcd_parse_members(const char *body, size_t len, struct etcd_member **ret, size_t *ret_n, struct perr *err)
{
	struct json *j = NULL;
	const struct json *ms, *m;
	struct etcd_member *v = NULL;
	size_t n = 0;
	int r = json_parse(body, len, &j, err);

	if (r < 0)
		return r;
	ms = json_get(j, "members");
	if (ms && ms->type != JSON_ARR)
		r = perr_set(err, -EINVAL, "member list: 'members' is not a list");
	for (m = ms ? ms->child : NULL; r == 0 && m; m = m->next) {
		const struct json *urls = json_get(m, "peerURLs"), *curls = json_get(m, "clientURLs");
		const char *name = json_str_at(m, "name");
		struct etcd_member *g = realloc(v, (n + 1) * sizeof(*g));
		if (!g) {
			r = perr_set(err, -ENOMEM, "out of memory");
			break;
		}
		v = g;
		v[n].id = id_of(json_get(m, "ID"));
		v[n].name = strdup(name ? name : "");
		v[n].peer_url = strdup(urls && urls->child && urls->child->type == JSON_STR ? urls->child->str : "");
		v[n].client_url = strdup(curls && curls->child && curls->child->type == JSON_STR ? curls->child->str : "");
		v[n].learner = json_bool_at(m, "isLearner", false);
		n++;
		if (!v[n - 1].name || !v[n - 1].peer_url || !v[n - 1].client_url)
			r = perr_set(err, -ENOMEM, "out of memory");
	}
	json_free(j);
	if (r < 0) {
		etcd_members_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

int etcd_parse_status(const char *body, size_t len, uint64_t *ret_id, uint64_t *ret_leader, struct perr *err)
{
	struct json *j = NULL;
	int r = json_parse(body, len, &j, err);

	if (r < 0)
		return r;
	*ret_id = id_of(json_path(j, "header.member_id"));
	*ret_leader = id_of(json_get(j, "leader"));
	json_free(j);
	return 0;
}

int etcd_member_list(struct etcd_client *c, const char *url, struct etcd_member **ret, size_t *ret_n,
		     struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	int r = call(c, url, "/v3/cluster/member/list", "{}", &sb, err);

	if (r == 0)
		r = etcd_parse_members(sb.s ? sb.s : "", sb.len, ret, ret_n, err);
	sb_free(&sb);
	return r;
}

int etcd_status(struct etcd_client *c, const char *url, uint64_t *ret_id, uint64_t *ret_leader,
		struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	int r = call(c, url, "/v3/maintenance/status", "{}", &sb, err);

	if (r == 0)
		r = etcd_parse_status(sb.s ? sb.s : "", sb.len, ret_id, ret_leader, err);
	sb_free(&sb);
	return r;
}

int etcd_parse_member_add(const char *body, size_t len, uint64_t *ret_id, struct etcd_member **ret, size_t *ret_n,
			  struct perr *err)
{
	struct json *j = NULL;
	int r = json_parse(body, len, &j, err);

	if (r < 0)
		return r;
	*ret_id = id_of(json_path(j, "member.ID"));
	json_free(j);
	if (!*ret_id)
		return perr_set(err, -EINVAL, "member add: no member ID in the answer");
	return etcd_parse_members(body, len, ret, ret_n, err);
}

int etcd_member_add(struct etcd_client *c, const char *url, const char *peer_url, bool learner, uint64_t *ret_id,
		    struct etcd_member **ret, size_t *ret_n, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT, req = STRBUF_INIT;
	int r;

	sb_adds(&req, "{\"peerURLs\":[");
	sb_json_str(&req, peer_url);
	sb_printf(&req, "],\"isLearner\":%s}", learner ? "true" : "false");
	if (req.err)
		r = perr_set(err, -ENOMEM, "out of memory");
	else if ((r = call(c, url, "/v3/cluster/member/add", req.s, &sb, err)) == 0)
		r = etcd_parse_member_add(sb.s ? sb.s : "", sb.len, ret_id, ret, ret_n, err);
	sb_free(&req);
	sb_free(&sb);
	return r;
}

int etcd_member_promote(struct etcd_client *c, const char *url, uint64_t id, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	char req[64];
	int r;

	snprintf(req, sizeof(req), "{\"ID\":\"%llu\"}", (unsigned long long)id);
	r = call(c, url, "/v3/cluster/member/promote", req, &sb, err);
	sb_free(&sb);
	return r;
}
