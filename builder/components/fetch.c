/* fetch: downloads a URL and checks its SHA-256. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <curl/curl.h>

#include "components/digest.h"
#include "components/fetch.h"

struct sink {
	FILE *f;
	struct digest *d;
	int werr;
};

static size_t on_data(char *p, size_t size, size_t n, void *data)
{
	struct sink *s = data;
	size_t len = size * n;
	if (fwrite(p, 1, len, s->f) != len) {
		s->werr = errno ? errno : EIO;
		return 0;
	}
	digest_update(s->d, p, len);
	return len;
}

char *fetch_url_shown(const char *url)
{
	CURLU *u = curl_url();
	char *got = NULL, *s = NULL;
	if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &got, 0) == CURLUE_OK) {
		s = strdup(got);
		curl_free(got);
	} else {
		/* not a URL libcurl can read: cut whatever stands before an '@'
		 * of the part after the scheme, rather than show it */
		const char *host = strstr(url, "://"), *at = NULL;
		host = host ? host + 3 : url;
		for (const char *p = host; *p && *p != '/'; p++)
			if (*p == '@')
				at = p;
		if (asprintf(&s, "%.*s%s", (int)(host - url), url, at ? at + 1 : host) < 0)
			s = NULL;
	}
	curl_url_cleanup(u);
	return s;
}

/* PADDOCK_FETCH_TIMEOUT, else the default. */
static long timeout_seconds(void)
{
	const char *e = getenv("PADDOCK_FETCH_TIMEOUT");
	char *end;
	long v = e && *e ? strtol(e, &end, 10) : 0;
	return e && *e && !*end && v > 0 ? v : FETCH_TIMEOUT_SECONDS;
}

int fetch_url(const char *url, const char *sha256, const char *dest, struct perr *err)
{
	char *tmp = NULL, *shown = fetch_url_shown(url), errbuf[CURL_ERROR_SIZE] = "";
	int fd = -1, r = 0;
	struct sink s = { 0 };
	CURL *c = NULL;
	char got[DIGEST_HEX_LEN + 1];
	long limit = timeout_seconds(), stall = limit < FETCH_STALL_SECONDS ? limit : FETCH_STALL_SECONDS;

	if (!shown || asprintf(&tmp, "%s" FETCH_TMP "XXXXXX", dest) < 0) {
		free(shown);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	/* the flock says "in use" to a sweep of killed fetches' temporaries
	 * (sweep_stale_files); it ends with the descriptor, after the rename */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0 || flock(fd, LOCK_EX) < 0) {
		r = perr_set(err, -errno, "%s: %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		free(shown);
		return r;
	}
	if (!(s.f = fdopen(fd, "wb")) || !(s.d = digest_new()) || !(c = curl_easy_init())) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, stall < 30 ? stall : 30L);
	/* a server that accepts and then says nothing must not hang the build */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, FETCH_MIN_SPEED);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, limit);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	CURLcode cr = curl_easy_perform(c);
	if (cr != CURLE_OK) {
		/* libcurl's own words name the host at most, never the credentials */
		const char *why = *errbuf ? errbuf : curl_easy_strerror(cr);
		if (s.werr)
			r = perr_set(err, -s.werr, "%s: %s", tmp, strerror(s.werr));
		else if (cr == CURLE_OPERATION_TIMEDOUT)
			r = perr_set(err, -ETIMEDOUT, "%s: given up: %s (a download must move %ld bytes/s "
				     "over every %ld s and finish within %ld s; PADDOCK_FETCH_TIMEOUT=SECONDS "
				     "sets the limit)", shown, why, FETCH_MIN_SPEED, stall, limit);
		else
			r = perr_set(err, -EIO, "%s: %s", shown, why);
		goto fail;
	}
	if (fflush(s.f) != 0 || fsync(fileno(s.f)) != 0) {
		r = perr_set(err, -errno, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	digest_final(s.d, got);
	s.d = NULL;
	if (strcmp(got, sha256)) {
		r = perr_set(err, -EBADMSG, "%s: sha256 mismatch: expected %s, got %s", shown, sha256, got);
		goto fail;
	}
	if (rename(tmp, dest) < 0) {
		r = perr_set(err, -errno, "%s: %s", dest, strerror(errno));
		goto fail;
	}
	fclose(s.f);
	s.f = NULL;
	curl_easy_cleanup(c);
	free(tmp);
	free(shown);
	return 0;
fail:
	if (s.f)
		fclose(s.f);
	else if (fd >= 0)
		close(fd);
	digest_abort(s.d);
	if (c)
		curl_easy_cleanup(c);
	unlink(tmp);
	free(tmp);
	free(shown);
	return r;
}
