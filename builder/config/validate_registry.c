#include "config/validate_registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "strbuf.h"

/* a CA bundle is a few KiB */
#define CA_FILE_MAX (1u << 20)

char *registry_ca_path(const char *cluster_file, const char *ca_cert)
{
	const char *home = getenv("HOME"), *slash = strrchr(cluster_file, '/');
	char *p = NULL;

	if (!strncmp(ca_cert, "~/", 2) && home) {
		if (asprintf(&p, "%s/%s", home, ca_cert + 2) < 0)
			p = NULL;
	} else if (ca_cert[0] == '/' || !slash) {
		p = strdup(ca_cert);
	} else if (asprintf(&p, "%.*s/%s", (int)(slash - cluster_file), cluster_file, ca_cert) < 0) {
		p = NULL;
	}
	return p;
}

/* The file's text (heap) or NULL with *why set. */
static char *read_small(const char *path, const char **why)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "re");

	if (!f) {
		*why = strerror(errno);
		return NULL;
	}
	sb.max = CA_FILE_MAX;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	if (ferror(f) || sb.err) {
		*why = ferror(f) ? "cannot be read" : "is larger than 1 MiB";
		sb_free(&sb);
	}
	fclose(f);
	if (!sb.s && !*why)
		*why = "is empty";
	return sb.s;
}

/* How many PEM certificates text holds, and nothing else of PEM. */
static int pem_certs(const char *text, const char **why)
{
	BIO *b = BIO_new_mem_buf(text, -1);
	X509 *x;
	int n = 0;

	if (!b) {
		*why = "out of memory";
		return -1;
	}
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		X509_free(x);
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	if (!n)
		*why = "holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
	else if (strstr(text, "PRIVATE KEY-----"))
		*why = "holds a private key; give the CA's certificate alone", n = 0;
	return n;
}

static int check_ca(struct vctx *v, size_t i, struct cfg_registry *g)
{
	const struct ynode *blk = ymap_get(g->y, "paddock");
	const char *why = NULL;
	char *path = registry_ca_path(v->c->file, g->ca_cert), *text;
	int line, col, r = 0;

	if (!path)
		return fail_oom(v);
	value_pos(blk, "ca_cert", &line, &col);
	text = read_small(path, &why);
	if (text && pem_certs(text, &why) > 0)
		g->ca_pem = text, text = NULL;
	else
		r = FAIL_AT(v, line, col, "private_registries[%zu].paddock.ca_cert: %s %s", i, path,
			    why ? why : "is not a certificate");
	free(text);
	free(path);
	return r;
}

int registry_check_keys(struct vctx *v)
{
	struct cluster *c = v->c;
	const struct cfg_strs *m = &c->paddock.registry_mirrors;
	int r;

	for (size_t i = 0; i < c->nregistries; i++)
		if (c->registries[i].ca_cert && (r = check_ca(v, i, &c->registries[i])) < 0)
			return r;
	for (size_t i = 0; i < m->n; i++) {
		const char *u = m->v[i];
		if (strncmp(u, "https://", 8) && strncmp(u, "http://", 7))
			return fail_path(v, "paddock.registry_mirrors", "`%s`: expected an https:// URL "
					 "(a Docker Hub mirror)%s", u, NULL);
		if (!strncmp(u, "http://", 7))
			return fail_path(v, "paddock.registry_mirrors", "`%s`: plain http is refused "
					 "(paddock never sets insecure registries); use https://%s", u, NULL);
		if (strchr(u, '@'))
			return fail_path(v, "paddock.registry_mirrors", "a mirror URL must not carry "
					 "credentials%s%s", NULL, NULL);
	}
	return 0;
}
