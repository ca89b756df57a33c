/* fetch: downloads a URL and checks its SHA-256. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int fetch_url(const char *url, const char *sha256, const char *dest, struct perr *err)
{
	char *tmp = NULL;
	int fd = -1, r = 0;
	struct sink s = { 0 };
	CURL *c = NULL;
	char got[DIGEST_HEX_LEN + 1];

	if (asprintf(&tmp, "%s.tmp-XXXXXX", dest) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	if ((fd = mkstemp(tmp)) < 0) {
		r = perr_set(err, -errno, "%s: %s", tmp, strerror(errno));
		free(tmp);
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
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	CURLcode cr = curl_easy_perform(c);
	if (cr != CURLE_OK) {
		if (s.werr)
			r = perr_set(err, -s.werr, "%s: %s", tmp, strerror(s.werr));
		else
			r = perr_set(err, -EIO, "%s: %s", url, curl_easy_strerror(cr));
		goto fail;
	}
	if (fflush(s.f) != 0 || fsync(fileno(s.f)) != 0) {
		r = perr_set(err, -errno, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	digest_final(s.d, got);
	s.d = NULL;
	if (strcmp(got, sha256)) {
		r = perr_set(err, -EBADMSG, "%s: sha256 mismatch: expected %s, got %s", url, sha256, got);
		goto fail;
	}
	fclose(s.f);
	s.f = NULL;
	if (rename(tmp, dest) < 0) {
		r = perr_set(err, -errno, "%s: %s", dest, strerror(errno));
		goto fail;
	}
	curl_easy_cleanup(c);
	free(tmp);
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
	return r;
}
