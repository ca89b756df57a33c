#include "registry_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "fsutil.h"
#include "json.h"
#include "strbuf.h"

/* a credentials file is a few hundred bytes; refuse anything silly */
#define AUTH_FILE_MAX (256u << 10)

static bool is_docker_hub(const char *host, size_t n)
{
	static const char *const names[] = { "docker.io", "index.docker.io", "registry-1.docker.io" };

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (strlen(names[i]) == n && !strncmp(host, names[i], n))
			return true;
	return false;
}

/* host of the first n bytes, docker.io for Docker Hub's aliases */
static char *host_of(const char *s, size_t n)
{
	return is_docker_hub(s, n) ? strdup("docker.io") : strndup(s, n);
}

char *registry_of_image(const char *ref)
{
	const char *slash = strchr(ref, '/');
	size_t n = slash ? (size_t)(slash - ref) : 0;

	/* Docker's rule: the first part names a registry when it has a '.' or
	 * a ':' or is "localhost"; else the image is on Docker Hub */
	if (!slash || (!memchr(ref, '.', n) && !memchr(ref, ':', n) && !(n == 9 && !strncmp(ref, "localhost", 9))))
		return strdup("docker.io");
	return host_of(ref, n);
}

char *registry_of_url(const char *url)
{
	size_t n = strcspn(url, "/");

	return host_of(url, n ? n : strlen(url));
}

char *registry_base64(const void *data, size_t len, int url)
{
	size_t cap = 4 * ((len + 2) / 3) + 1;
	unsigned char *out;

	if (len > (size_t)1 << 28 || !(out = malloc(cap)))
		return NULL;
	EVP_EncodeBlock(out, data, (int)len);
	for (unsigned char *p = out; url && *p; p++)
		if (*p == '+' || *p == '/')
			*p = *p == '+' ? '-' : '_';
	return (char *)out;
}

/* The header for one entry: base64url of the AuthConfig Docker expects. */
static int header_of(const struct json *e, const char *host, char **ret, struct perr *err)
{
	const char *u = json_str_at(e, "username"), *p = json_str_at(e, "password");
	struct strbuf sb = STRBUF_INIT;

	if (!u || !p)
		return perr_set(err, -EINVAL, "registry %s: expected \"username\" and \"password\" strings", host);
	sb_adds(&sb, "{\"username\":");
	sb_json_str(&sb, u);
	sb_adds(&sb, ",\"password\":");
	sb_json_str(&sb, p);
	sb_adds(&sb, ",\"serveraddress\":");
	sb_json_str(&sb, host);
	sb_adds(&sb, "}");
	if (!sb.err)
		*ret = registry_base64(sb.s, sb.len, 1);
	if (sb.s)
		OPENSSL_cleanse(sb.s, sb.len);
	sb_free(&sb);
	if (!*ret)
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

int registry_auth_header(const char *doc, size_t len, const char *ref, char **ret, struct perr *err)
{
	struct json *j = NULL;
	const struct json *auths = NULL;
	char *want = registry_of_image(ref);
	int r = 0;

	*ret = NULL;
	if (!want)
		return perr_set(err, -ENOMEM, "out of memory");
	if (json_parse(doc, len, &j, NULL) < 0 || j->type != JSON_OBJ ||
	    !(auths = json_get(j, "auths")) || auths->type != JSON_OBJ) {
		r = perr_set(err, -EINVAL, "expected {\"auths\": {REGISTRY: {...}}}");
	} else {
		for (const struct json *e = auths->child; e && r == 0 && !*ret; e = e->next) {
			char *host = registry_of_url(e->key);
			if (!host)
				r = perr_set(err, -ENOMEM, "out of memory");
			else if (!strcmp(host, want))
				r = header_of(e, want, ret, err);
			free(host);
		}
	}
	/* the tree holds the password: wipe its strings before freeing */
	for (const struct json *e = j && auths ? auths->child : NULL; e; e = e->next)
		for (struct json *f = e->child; f; f = f->next)
			if (f->str)
				OPENSSL_cleanse(f->str, strlen(f->str));
	json_free(j);
	free(want);
	return r;
}

int registry_auth_header_file(const char *path, const char *ref, char **ret, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	int fd, r;

	*ret = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : perr_set(err, -errno, "%s: %s", path, strerror(errno));
	sb.max = AUTH_FILE_MAX;
	while ((n = fd_read(fd, buf, sizeof(buf))) > 0)
		sb_add(&sb, buf, (size_t)n);
	close(fd);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (n < 0 || sb.err)
		r = perr_set(err, n < 0 ? (int)n : sb.err, "%s: %s", path, n < 0 ? strerror((int)-n) : "too large");
	else if ((r = registry_auth_header(sb.s ? sb.s : "", sb.len, ref, ret, err)) < 0)
		perr_wrap(err, "%s", path);
	if (sb.s)
		OPENSSL_cleanse(sb.s, sb.len);
	sb_free(&sb);
	return r;
}
