#include "report_send.h"
#include "report_mac.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int report_key_parse(const char *text, size_t len, unsigned char key[REPORT_KEY_LEN], struct perr *err)
{
	if (len && text[len - 1] == '\n')
		len--;
	if (len != 2 * REPORT_KEY_LEN)
		return perr_set(err, -EINVAL, "not %d hex digits", 2 * REPORT_KEY_LEN);
	for (size_t i = 0; i < REPORT_KEY_LEN; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			OPENSSL_cleanse(key, REPORT_KEY_LEN);
			return perr_set(err, -EINVAL, "not %d hex digits", 2 * REPORT_KEY_LEN);
		}
		key[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

bool report_word_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n && n <= 253 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

char *report_body(const char *node, const char *boot_id, unsigned long seq, const char *line, size_t len)
{
	char *s = NULL;
	if (asprintf(&s, "node=%s boot=%s seq=%lu %.*s", node, boot_id, seq, (int)len, line) < 0)
		return NULL;
	return s;
}

int report_sign_hex(const unsigned char *key, size_t keylen, const char *body, size_t len, char hex[65],
		struct perr *err)
{
	if (report_mac_hex(key, keylen, body, len, hex) < 0)
		return perr_set(err, -EIO, "HMAC-SHA256 failed");
	return 0;
}

bool report_url_ok(const char *url)
{
	if (!url || strncmp(url, "http://", 7) || !url[7])
		return false;
	for (const char *c = url; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return false;
	return true;
}

enum report_verdict report_verdict_of(bool answered, long status)
{
	if (!answered)
		return REPORT_RETRY;
	if (status >= 200 && status < 300)
		return REPORT_DELIVERED;
	if (status == 400)
		return REPORT_BAD_REQUEST;
	if (status == 401)
		return REPORT_BAD_KEY;
	if (status == 409)
		return REPORT_REPLAYED;
	return REPORT_RETRY;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

int report_post(const char *url, const char *body, const unsigned char *key, size_t keylen, double timeout_s,
		long *status, struct perr *err)
{
	char hex[65], *sig = NULL;
	struct curl_slist *h = NULL, *h2;
	CURL *c;
	CURLcode rc;
	int r;

	*status = 0;
	if ((r = report_sign_hex(key, keylen, body, strlen(body), hex, err)) < 0)
		return r;
	if (asprintf(&sig, REPORT_SIG_HEADER ": sha256=%s", hex) < 0)
		return perr_set(err, -ENOMEM, "out of memory");
	c = curl_easy_init();
	h = curl_slist_append(NULL, "Content-Type: text/plain");
	h2 = h ? curl_slist_append(h, sig) : NULL;
	free(sig);
	if (!c || !h2) {
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	long ms = (long)(timeout_s * 1000);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms / 2 ? ms / 2 : 1);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	else
		r = perr_set(err, -EIO, "%s", curl_easy_strerror(rc));
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r;
}
