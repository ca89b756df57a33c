/* Private registries: the credentials System Docker sends and the kubelet
 * reads, the registry CA and the Docker Hub mirrors, from cluster.yml to
 * the node layer's files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "config/config.h"
#include "image/registry_files.h"
#include "json.h"
#include "plan/plan.h"
#include "registry_auth.h"
#include "testutil.h"

SCRATCH_GROUP("registry")

static const char *nodes =
	"nodes:\n"
	"  - {address: 10.0.0.1, hostname_override: cp, user: u, role: [etcd, controlplane]}\n"
	"  - {address: 10.0.0.2, hostname_override: w, user: u, role: [worker]}\n";

/* A self-signed certificate, made once for the tests. */
static const char *ca_pem(void)
{
	static char path[128];
	if (!path[0]) {
		char cmd[512];
		snprintf(path, sizeof(path), "%s/ca.pem", dir);
		snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
			 "-keyout %s/ca.key -out %s -days 2 -subj /CN=test-ca >/dev/null 2>&1", dir, path);
		assert_int_equal(system(cmd), 0);
	}
	return path;
}

static void write_text(const char *name, const char *text)
{
	struct perr e = PERR_INIT;
	char *p = path_join(dir, name);
	assert_int_equal(write_file(p, text, strlen(text), 0600, &e), 0);
	free(p);
}

/* Loads nodes + extra from DIR/cluster.yml; NULL with *e on failure. */
static struct plan *load(const char *extra, struct perr *e)
{
	char *doc = NULL, path[160];
	struct plan *p = NULL;
	assert_true(asprintf(&doc, "%s%s", nodes, extra) > 0);
	write_text("cluster.yml", doc);
	free(doc);
	snprintf(path, sizeof(path), "%s/cluster.yml", dir);
	return plan_load(path, &p, NULL, e) < 0 ? NULL : p;
}

static char *b64url_decode(const char *s)
{
	size_t n = strlen(s);
	char *t = strdup(s), *out = calloc(1, n + 1);
	for (char *c = t; *c; c++)
		*c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
	int len = EVP_DecodeBlock((unsigned char *)out, (unsigned char *)t, (int)n);
	assert_true(len >= 0);
	while (n && t[--n] == '=')
		out[--len] = '\0';
	free(t);
	return out;
}

static void image_registries(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "rancher/rke-tools:v0.1.103", "docker.io" },
		{ "busybox", "docker.io" },
		{ "docker.io/rancher/x:1", "docker.io" },
		{ "index.docker.io/rancher/x:1", "docker.io" },
		{ "10.0.2.2:5000/rancher/hyperkube:v1", "10.0.2.2:5000" },
		{ "reg.local/x:1", "reg.local" },
		{ "localhost/x", "localhost" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *r = registry_of_image(cases[i][0]);
		assert_string_equal(r, cases[i][1]);
		free(r);
	}
	char *u = registry_of_url("reg.local:5000/team");
	assert_string_equal(u, "reg.local:5000");
	free(u);
	u = registry_of_url("registry-1.docker.io");
	assert_string_equal(u, "docker.io");
	free(u);
}

static void credentials_reach_docker_and_kubelet(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	struct plan *p = load("private_registries:\n"
			      "  - {url: \"reg.local:5000/team\", user: bob, password: \"p\\\"w/+?\", is_default: true}\n"
			      "  - {url: open.local}\n", &e);
	if (!p)
		fail_msg("%s", e.msg);
	char *doc = NULL, *hdr = NULL, *kub = NULL;
	assert_int_equal(registry_auth_json(plan_cluster(p), &doc, &e), 0);
	/* the header for an image of that registry: Docker's AuthConfig, base64url */
	assert_int_equal(registry_auth_header(doc, strlen(doc), "reg.local:5000/team/x:1", &hdr, &e), 0);
	assert_non_null(hdr);
	assert_null(strpbrk(hdr, "+/"));
	char *js = b64url_decode(hdr);
	struct json *j = NULL;
	assert_int_equal(json_parse(js, strlen(js), &j, &e), 0);
	assert_string_equal(json_str_at(j, "username"), "bob");
	assert_string_equal(json_str_at(j, "password"), "p\"w/+?");
	assert_string_equal(json_str_at(j, "serveraddress"), "reg.local:5000");
	json_free(j);
	free(js);
	free(hdr);
	/* none for another registry, nor for one without a user */
	assert_int_equal(registry_auth_header(doc, strlen(doc), "rancher/x:1", &hdr, &e), 0);
	assert_null(hdr);
	assert_int_equal(registry_auth_header(doc, strlen(doc), "open.local/x:1", &hdr, &e), 0);
	assert_null(hdr);
	assert_int_equal(registry_auth_header("[]", 2, "open.local/x:1", &hdr, &e), -EINVAL);
	perr_clear(&e);
	assert_int_equal(registry_auth_header_file("/nonexistent/auth.json", "reg.local:5000/x", &hdr, &e), 0);
	assert_null(hdr);
	/* the kubelet's: RKE's document, base64("user:password") */
	assert_int_equal(registry_kubelet_config(plan_cluster(p), &kub, &e), 0);
	assert_string_equal(kub, "{\"auths\":{\"reg.local:5000/team\":{\"auth\":\"Ym9iOnAidy8rPw==\"}}}");
	free(kub);
	free(doc);

	/* both files on every node, 0600; no CA, no daemon.json */
	for (size_t i = 0; i < plan_node_count(p); i++) {
		size_t nf, seen = 0;
		const struct plan_file *f = plan_node_files(p, i, &nf);
		for (size_t k = 0; k < nf; k++) {
			if (!strcmp(f[k].path, REGISTRY_AUTH_PATH) || !strcmp(f[k].path, "/var/lib/kubelet/config.json")) {
				assert_int_equal(f[k].mode, 0600);
				seen++;
			}
			assert_null(strstr(f[k].path, "/etc/docker/"));
		}
		assert_int_equal(seen, 2);
	}
	plan_free(p);
}

static void ca_and_mirrors(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	char *extra = NULL;
	ca_pem();
	/* a relative path is the cluster file's directory's */
	struct plan *p = load("private_registries:\n"
			      "  - url: 10.0.2.2:5000\n"
			      "    is_default: true\n"
			      "    paddock: {ca_cert: ca.pem}\n"
			      "paddock:\n  registry_mirrors: [\"https://mirror.local\"]\n", &e);
	if (!p)
		fail_msg("%s", e.msg);
	for (size_t i = 0; i < plan_node_count(p); i++) {
		struct appl_files out = { 0 };
		bool ca = false, daemon = false;
		assert_int_equal(registry_node_files(p, i, &out, &e), 0);
		for (size_t k = 0; k < out.n; k++) {
			if (!strcmp(out.v[k].path, "/etc/docker/certs.d/10.0.2.2:5000/ca.crt")) {
				ca = true;
				assert_int_equal(out.v[k].mode, 0644);
				assert_non_null(strstr(out.v[k].data, "-----BEGIN CERTIFICATE-----"));
			}
			if (!strcmp(out.v[k].path, "/etc/docker/daemon.json")) {
				daemon = true;
				assert_string_equal(out.v[k].data, "{\n  \"registry-mirrors\": [\"https://mirror.local\"]\n}\n");
			}
			assert_null(strstr(out.v[k].data, "insecure"));
		}
		assert_true(ca);
		/* the user Docker runs on workers only */
		assert_int_equal(daemon, !strcmp(plan_node_at(p, i)->name, "w"));
		appl_files_free(&out);
	}
	plan_free(p);

	/* not a certificate: the error is at the key's line */
	write_text("notca.pem", "hello\n");
	p = load("private_registries:\n  - url: r.local\n    paddock:\n      ca_cert: notca.pem\n", &e);
	assert_null(p);
	assert_int_equal(e.line, 7);
	assert_non_null(strstr(e.msg, "private_registries[0].paddock.ca_cert"));
	assert_non_null(strstr(e.msg, "no PEM certificate"));
	perr_clear(&e);
	/* a certificate with its key beside it: refused, the key stays home */
	assert_true(asprintf(&extra, "cat %s/ca.pem %s/ca.key > %s/both.pem", dir, dir, dir) > 0);
	assert_int_equal(system(extra), 0);
	free(extra);
	p = load("private_registries:\n  - url: r.local\n    paddock: {ca_cert: both.pem}\n", &e);
	assert_null(p);
	assert_non_null(strstr(e.msg, "private key"));
	perr_clear(&e);
	p = load("private_registries:\n  - url: r.local\n    paddock: {ca_cert: missing.pem}\n", &e);
	assert_null(p);
	assert_non_null(strstr(e.msg, "missing.pem"));
	perr_clear(&e);
	p = load("paddock:\n  registry_mirrors: [\"http://mirror.local\"]\n", &e);
	assert_null(p);
	assert_non_null(strstr(e.msg, "paddock.registry_mirrors"));
	assert_non_null(strstr(e.msg, "insecure"));
	perr_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(image_registries),
		cmocka_unit_test(credentials_reach_docker_and_kubelet),
		cmocka_unit_test(ca_and_mirrors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
