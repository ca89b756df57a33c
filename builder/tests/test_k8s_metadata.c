/* k8s_metadata: RKE's data.json read at run time into the version table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/k8s_metadata.h"
#include "config/k8s_versions.h"

/* A small data.json: what RKE's has, in its shape. */
static const char data[] =
	"{ \"K8sVersionRKESystemImages\": {\n"
	"    \"v1.9.5-rancher1-1\": { \"etcd\": \"e:9\", \"kubernetes\": \"k:v1.9.5\" },\n"
	"    \"v1.10.1-rancher1\": { \"etcd\": \"e:10a\" },\n"
	"    \"v1.10.3-rancher2-1\": { \"etcd\": \"e:10\", \"kubernetes\": \"k:v1.10.3\",\n"
	"        \"windowsPodInfraContainer\": \"w\", \"someFutureImage\": \"f\", \"nginxProxy\": null },\n"
	"    \"v1.40.1-rancher1-1\": { \"etcd\": \"e:40\", \"nginxProxy\": \"rancher/rke-tools:v9\" },\n"
	"    \"v1.41.0-rancher1-1\": { \"etcd\": \"e:41\" } },\n"
	"  \"K8sVersionServiceOptions\": {\n"
	"    \"v1.40\": { \"kubelet\": { \"b\": \"2\", \"a\": \"1\", \"gone\": \"\" }, \"etcd\": null },\n"
	"    \"v1.10\": null },\n"
	"  \"K8sVersionInfo\": {\n"
	"    \"v1.10\": { \"maxRKEVersion\": \"0.2.2\" },\n"
	"    \"v1.10.1-rancher1\": { \"deprecateRKEVersion\": \"0.2.2\" },\n"
	"    \"v1.41.0-rancher1-1\": { \"minRKEVersion\": \"1.99.0-rc1\" } },\n"
	"  \"RKEDefaultK8sVersions\": { \"0.3\": \"v1.9.5-rancher1-1\", \"default\": \"v1.40.1-rancher1-1\" },\n"
	"  \"K8sVersionedTemplates\": {}, \"k3s\": { \"releases\": [] } }\n";

static char path[64];

static void write_data(const char *s, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	strcpy(path, "/tmp/test_k8s_metadata.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	k8s_metadata_unload();
	unlink(path);
	return 0;
}

static void reads_rke_data_json(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	write_data(data, strlen(data));
	assert_int_equal(k8s_metadata_load(path, &e), 0);
	assert_string_equal(k8s_default_version(), "v1.40.1-rancher1-1");
	assert_string_equal(k8s_data_file(), path);
	assert_non_null(strstr(k8s_data_name(), path));
	assert_int_equal(strlen(k8s_data_sha256()), 64);
	/* the versions RKE keeps: deprecated and too new ones are left out */
	assert_null(k8s_version_find("v1.10.1-rancher1"));
	assert_null(k8s_version_find("v1.41.0-rancher1-1"));
	assert_null(k8s_version_find("v1.30.5-rancher1-1"));   /* the embedded table's */
	const struct k8s_version *v = k8s_version_find("v1.10.3-rancher2-1");
	assert_non_null(v);
	assert_string_equal(k8s_image(v, "etcd"), "e:10");
	assert_null(k8s_image(v, "nginx_proxy"));
	assert_string_equal(k8s_version_last_rke(v), "0.2.2");
	/* in version order: v1.9 before v1.10 */
	assert_string_equal(k8s_version_name(k8s_version_newest_of_minor("v1.9")), "v1.9.5-rancher1-1");
	v = k8s_version_find("v1.40.1-rancher1-1");
	assert_null(k8s_version_last_rke(v));
	assert_string_equal(k8s_image(v, "nginx_proxy"), "rancher/rke-tools:v9");
	/* flags sorted by name; an empty value drops a flag */
	const struct k8s_options *o = k8s_options_find("v1.40.1-rancher1-1", NULL);
	assert_string_equal(k8s_options_key(o), "v1.40");
	assert_int_equal(k8s_flag_count(o, K8S_KUBELET), 3);
	const char *n, *val;
	assert_int_equal(k8s_flag_at(o, K8S_KUBELET, 0, &n, &val), 0);
	assert_string_equal(n, "a");
	assert_string_equal(k8s_flag_get(o, K8S_KUBELET, "gone"), "");
	assert_int_equal(k8s_flag_count(o, K8S_ETCD), 0);
	assert_int_equal(k8s_flag_count(k8s_options_find("v1.10.3-rancher2-1", NULL), K8S_KUBELET), 0);
	/* unloaded: the table paddock carries again */
	k8s_metadata_unload();
	assert_null(k8s_data_file());
	assert_non_null(k8s_version_find("v1.30.5-rancher1-1"));
	assert_string_equal(k8s_data_name(), "the version data paddock carries: KDM dev-v2.9, RKE v1.6");
}

/* Loads text; the error message, which must name the file. */
static char *fails(const char *text)
{
	struct perr e = PERR_INIT;
	write_data(text, strlen(text));
	assert_int_equal(k8s_metadata_load(path, &e) < 0, 1);
	assert_string_equal(e.file, path);
	char *msg = strdup(e.msg);
	perr_clear(&e);
	/* the table in use did not change */
	assert_null(k8s_data_file());
	assert_non_null(k8s_version_find("v1.30.5-rancher1-1"));
	return msg;
}

#define ASSERT_FAILS(text, want) do { \
		char *m_ = fails(text); \
		if (!strstr(m_, want)) \
			fail_msg("%s: wanted \"%s\"", m_, want); \
		free(m_); \
	} while (0)

static void names_the_key_at_fault(void **state)
{
	(void)state;
	/* cut short */
	char *cut = strndup(data, 200);
	ASSERT_FAILS(cut, "(the file is cut short)");
	free(cut);
	ASSERT_FAILS("[]", "(top level): expected an object");
	ASSERT_FAILS("{\"system_images\": {}}", "K8sVersionRKESystemImages: missing");
	ASSERT_FAILS("{\"K8sVersionRKESystemImages\": [], \"K8sVersionServiceOptions\": {}, "
		     "\"RKEDefaultK8sVersions\": {}}", "K8sVersionRKESystemImages: expected an object, not an array");
	ASSERT_FAILS("{\"K8sVersionRKESystemImages\": {\"v1.2.3\": {\"etcd\": 1}}, \"K8sVersionServiceOptions\": {}, "
		     "\"RKEDefaultK8sVersions\": {\"default\": \"v1.2.3\"}}",
		     "K8sVersionRKESystemImages: v1.2.3.etcd: expected an image name, not a number");
	ASSERT_FAILS("{\"K8sVersionRKESystemImages\": {\"v1.2.3\": {}}, \"K8sVersionServiceOptions\": {}, "
		     "\"RKEDefaultK8sVersions\": {\"default\": \"v1.2.4\"}}",
		     "RKEDefaultK8sVersions: default: v1.2.4 is not a version of K8sVersionRKESystemImages");
	ASSERT_FAILS("{\"K8sVersionRKESystemImages\": {\"v1.2.3\": {}}, \"K8sVersionServiceOptions\": {}, "
		     "\"RKEDefaultK8sVersions\": {}}", "RKEDefaultK8sVersions: default: missing");
	ASSERT_FAILS("{\"K8sVersionRKESystemImages\": {\"v1.2.3\": {}}, \"K8sVersionServiceOptions\": "
		     "{\"v1.2\": {\"kubelet\": {\"a\": true}}}, \"RKEDefaultK8sVersions\": {\"default\": \"v1.2.3\"}}",
		     "K8sVersionServiceOptions: v1.2.kubelet.a: expected a string, not a boolean");
	ASSERT_FAILS("{\"K8sVersionRKESystemImages\": {\"v1.2.3\": {}}, \"K8sVersionServiceOptions\": {}, "
		     "\"K8sVersionInfo\": {\"v1.2.3\": {\"minRKEVersion\": \"one\"}}, "
		     "\"RKEDefaultK8sVersions\": {\"default\": \"v1.2.3\"}}",
		     "K8sVersionInfo: v1.2.3.minRKEVersion: expected an RKE version");
}

static void a_missing_file(void **state)
{
	(void)state;
	struct perr e = PERR_INIT;
	assert_int_equal(k8s_metadata_load("/nonexistent/data.json", &e), -ENOENT);
	assert_string_equal(e.file, "/nonexistent/data.json");
	perr_clear(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_rke_data_json),
		cmocka_unit_test(names_the_key_at_fault),
		cmocka_unit_test(a_missing_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
