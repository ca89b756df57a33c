#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "config/k8s_versions.h"

static void images_of_a_version(void **state)
{
	(void)state;
	const struct k8s_version *v = k8s_version_find("v1.30.5-rancher1-1");
	assert_non_null(v);
	assert_string_equal(k8s_version_name(v), "v1.30.5-rancher1-1");
	assert_string_equal(k8s_image(v, "etcd"), "rancher/mirrored-coreos-etcd:v3.5.12");
	assert_string_equal(k8s_image(v, "kubernetes"), "rancher/hyperkube:v1.30.5-rancher1");
	/* rke-tools runs the snapshot, sidecar and nginx-proxy containers */
	assert_string_equal(k8s_image(v, "alpine"), "rancher/rke-tools:v0.1.103");
	assert_string_equal(k8s_image(v, "nginx_proxy"), "rancher/rke-tools:v0.1.103");
	assert_string_equal(k8s_image(v, "cert_downloader"), "rancher/rke-tools:v0.1.103");
	assert_string_equal(k8s_image(v, "kubernetes_services_sidecar"), "rancher/rke-tools:v0.1.103");
	assert_string_equal(k8s_image(v, "pod_infra_container"), "rancher/mirrored-pause:3.7");
	assert_string_equal(k8s_image(v, "canal_node"), "rancher/mirrored-calico-node:v3.28.1");
	assert_string_equal(k8s_image(v, "canal_flexvol"), "rancher/mirrored-calico-pod2daemon-flexvol:v3.28.1");
	assert_string_equal(k8s_image(v, "coredns"), "rancher/mirrored-coredns-coredns:1.11.1");
	assert_string_equal(k8s_image(v, "coredns_autoscaler"),
			    "rancher/mirrored-cluster-proportional-autoscaler:v1.8.9");
	assert_string_equal(k8s_image(v, "ingress"), "rancher/nginx-ingress-controller:nginx-1.11.2-rancher1");
	assert_string_equal(k8s_image(v, "metrics_server"), "rancher/mirrored-metrics-server:v0.7.1");
	/* KDM dropped weave from 1.30 */
	assert_null(k8s_image(v, "weave_node"));
	assert_true(k8s_image_key_known("weave_node"));
	assert_string_equal(k8s_image(k8s_version_find("v1.29.9-rancher1-1"), "weave_node"),
			    "weaveworks/weave-kube:2.8.1");
	/* an old version keeps its own era's images */
	v = k8s_version_find("v1.18.12-rancher1-1");
	assert_non_null(v);
	assert_string_equal(k8s_image(v, "etcd"), "rancher/coreos-etcd:v3.4.3-rancher1");
	assert_null(k8s_image(v, "ingress_webhook"));
	assert_null(k8s_image(k8s_version_find("v1.10.0-rancher1-1"), "coredns"));
}

static void keys_not_carried(void **state)
{
	(void)state;
	const struct k8s_version *v = k8s_version_find("v1.30.5-rancher1-1");
	assert_false(k8s_image_key_known("windows_pod_infra_container"));
	assert_false(k8s_image_key_known("aci_host_container"));
	assert_false(k8s_image_key_known("nginxProxy"));        /* KDM's JSON name, not RKE's key */
	assert_false(k8s_image_key_known(NULL));
	assert_null(k8s_image(v, "windows_pod_infra_container"));
	assert_null(k8s_image(NULL, "etcd"));
}

static void unknown_versions(void **state)
{
	(void)state;
	assert_null(k8s_version_find("v1.12.2"));
	assert_null(k8s_version_find("v1.32.5-rancher1-1"));    /* newer than this KDM */
	assert_null(k8s_version_find("v1.30.5-rancher1"));
	assert_null(k8s_version_find("1.30.5-rancher1-1"));
	assert_null(k8s_version_find(""));
	assert_null(k8s_version_find(NULL));
}

static void default_version(void **state)
{
	(void)state;
	const char *d = k8s_default_version();
	assert_string_equal(d, "v1.30.5-rancher1-1");
	const struct k8s_version *v = k8s_version_find(d);
	assert_non_null(v);
	assert_null(k8s_version_last_rke(v));
	assert_non_null(k8s_options_find(d, k8s_image(v, "kubernetes")));
}

static void version_info(void **state)
{
	(void)state;
	assert_string_equal(k8s_rke_release(), "v1.8.0");
	/* v1.18's maxRKEVersion is 1.3.99: RKE keeps it for upgrades only */
	assert_string_equal(k8s_version_last_rke(k8s_version_find("v1.18.12-rancher1-1")), "1.3.99");
	assert_string_equal(k8s_version_last_rke(k8s_version_find("v1.26.15-rancher1-1")), "1.5.99");
	assert_null(k8s_version_last_rke(k8s_version_find("v1.27.16-rancher1-1")));
	assert_string_equal(k8s_version_name(k8s_version_newest_of_minor("v1.30.9-rancher1-1")),
			    "v1.30.5-rancher1-1");
	assert_string_equal(k8s_version_name(k8s_version_newest_of_minor("v1.20.1")), "v1.20.15-rancher2-2");
	assert_null(k8s_version_newest_of_minor("v1.3.0"));     /* not v1.30 */
	assert_null(k8s_version_newest_of_minor("v1.32.5-rancher1-1"));
	assert_null(k8s_version_newest_of_minor("v1"));
}

static void default_flags(void **state)
{
	(void)state;
	const struct k8s_options *o = k8s_options_find("v1.30.5-rancher1-1", NULL);
	assert_non_null(o);
	assert_string_equal(k8s_options_key(o), "v1.30");
	assert_string_equal(k8s_flag_get(o, K8S_KUBE_API, "anonymous-auth"), "false");
	assert_string_equal(k8s_flag_get(o, K8S_KUBE_API, "profiling"), "false");
	assert_string_equal(k8s_flag_get(o, K8S_KUBE_API, "service-account-issuer"), "rke");
	assert_string_equal(k8s_flag_get(o, K8S_ETCD, "client-cert-auth"), "true");
	assert_string_equal(k8s_flag_get(o, K8S_KUBE_CONTROLLER, "terminated-pod-gc-threshold"), "1000");
	assert_string_equal(k8s_flag_get(o, K8S_SCHEDULER, "leader-elect"), "true");
	assert_string_equal(k8s_flag_get(o, K8S_KUBEPROXY, "healthz-bind-address"), "127.0.0.1");
	/* an empty value tells RKE to drop the flag */
	assert_string_equal(k8s_flag_get(o, K8S_KUBELET, "enforce-node-allocatable"), "");
	assert_null(k8s_flag_get(o, K8S_KUBELET, "no-such-flag"));

	/* flags come sorted by name, and end */
	const char *name, *value, *prev = "";
	size_t n = k8s_flag_count(o, K8S_KUBE_API);
	assert_int_equal(n, 17);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(k8s_flag_at(o, K8S_KUBE_API, i, &name, &value), 0);
		assert_true(strcmp(prev, name) < 0);
		prev = name;
	}
	assert_int_equal(k8s_flag_at(o, K8S_KUBE_API, n, &name, &value), -ENOENT);
	assert_int_equal(k8s_flag_at(o, K8S_NCOMPONENTS, 0, &name, &value), -EINVAL);
	assert_int_equal(k8s_flag_count(o, K8S_NCOMPONENTS), 0);
	assert_int_equal(k8s_flag_at(NULL, K8S_ETCD, 0, &name, &value), -EINVAL);
}

static void which_flag_set(void **state)
{
	(void)state;
	/* a set filed under the full version wins over the minor's */
	const struct k8s_options *o = k8s_options_find("v1.16.3-rancher1-1", NULL);
	assert_string_equal(k8s_options_key(o), "v1.16.3-rancher1-1");
	assert_int_equal(k8s_flag_count(o, K8S_ETCD), 2);
	o = k8s_options_find("v1.16.9-rancher1-1", NULL);
	assert_string_equal(k8s_options_key(o), "v1.16");
	assert_int_equal(k8s_flag_count(o, K8S_ETCD), 0);
	/* system_images.kubernetes of another minor picks that minor's set */
	o = k8s_options_find("v1.30.5-rancher1-1", "rancher/hyperkube:v1.30.5-rancher1");
	assert_string_equal(k8s_options_key(o), "v1.30");
	o = k8s_options_find("v1.30.9-rancher1-1", "reg.local:5000/rancher/hyperkube:v1.29.9-rancher1");
	assert_string_equal(k8s_options_key(o), "v1.29");
	o = k8s_options_find("v1.16.3-rancher1-1", "rancher/hyperkube:v1.17.4-rancher1");
	assert_string_equal(k8s_options_key(o), "v1.16.3-rancher1-1");
	/* a tag that names no minor leaves the cluster's */
	o = k8s_options_find("v1.28.15-rancher1-1", "reg.local:5000/hyperkube");
	assert_string_equal(k8s_options_key(o), "v1.28");
	o = k8s_options_find("v1.28.15-rancher1-1", "hyperkube:latest");
	assert_string_equal(k8s_options_key(o), "v1.28");
	/* none for a minor KDM does not carry */
	assert_null(k8s_options_find("v1.32.5-rancher1-1", NULL));
	assert_null(k8s_options_find("v1.30.5-rancher1-1", "hyperkube:v1.32.5"));
	assert_null(k8s_options_find("v1", NULL));
	assert_null(k8s_options_find(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(images_of_a_version),
		cmocka_unit_test(keys_not_carried),
		cmocka_unit_test(unknown_versions),
		cmocka_unit_test(default_version),
		cmocka_unit_test(version_info),
		cmocka_unit_test(default_flags),
		cmocka_unit_test(which_flag_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
