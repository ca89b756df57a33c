/* plan_images: the images of a plan (plan_images.h). */
#include "plan/plan_images.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/system_images.h"
#include "strv.h"

#define PAUSE_FLAG "--pod-infra-container-image="

/* The list while it is built. */
struct acc {
	struct plan_image *v;
	struct strv *uses, *nodes;
	size_t n, cap;
	bool oom;
};

char *plan_image_registry(const char *image)
{
	size_t n = strcspn(image, "/");
	if (image[n] == '/' && (memchr(image, '.', n) || memchr(image, ':', n) ||
				(n == 9 && !strncmp(image, "localhost", 9))))
		return strndup(image, n);
	return strdup("docker.io");
}

static void add(struct acc *a, const char *image, const char *source, const char *use, const char *node)
{
	size_t i = 0;
	while (i < a->n && strcmp(a->v[i].image, image))
		i++;
	if (i == a->n) {
		if (a->n == a->cap) {
			size_t cap = a->cap ? a->cap * 2 : 16;
			struct plan_image *v = realloc(a->v, cap * sizeof(*v));
			struct strv *u = realloc(a->uses, cap * sizeof(*u));
			if (u)
				a->uses = u;
			struct strv *nn = u ? realloc(a->nodes, cap * sizeof(*nn)) : NULL;
			if (v)
				a->v = v;
			if (nn)
				a->nodes = nn;
			if (!v || !u || !nn) {
				a->oom = true;
				return;
			}
			a->cap = cap;
		}
		bool bundled = !strcmp(source, "bundled");
		a->v[i] = (struct plan_image){ strdup(image), bundled ? "bundled" : "registry",
					       bundled ? NULL : plan_image_registry(image), NULL, NULL };
		a->uses[i] = (struct strv)STRV_INIT;
		a->nodes[i] = (struct strv)STRV_INIT;
		a->n++;
		if (!a->v[i].image || (!bundled && !a->v[i].registry))
			a->oom = true;
	}
	if (!strv_contains(&a->uses[i], use))
		strv_add(&a->uses[i], use);
	if (node && !strv_contains(&a->nodes[i], node))
		strv_add(&a->nodes[i], node);
}

/* The add-ons' system_images keys: those RKE asks for beyond the core. */
static bool addon_key(const char *key)
{
	static const char *const core[] = { "etcd", "kubernetes", "pod_infra_container", "alpine",
					    "nginx_proxy", "cert_downloader",
					    "kubernetes_services_sidecar" };
	for (size_t i = 0; i < sizeof(core) / sizeof(*core); i++)
		if (!strcmp(core[i], key))
			return false;
	return true;
}

static void add_addons(struct acc *a, const struct plan *p, const struct strv *kubelets)
{
	struct cfg_image_need need[CFG_MAX_IMAGE_NEEDS];
	size_t n = cfg_images_needed(plan_cluster(p), need);
	for (size_t k = 0; k < n && !a->oom; k++) {
		if (!addon_key(need[k].key))
			continue;
		char *img = cfg_system_image(plan_cluster(p), need[k].key);
		char *use = NULL;
		if (img && asprintf(&use, "add-on %s", need[k].key) >= 0) {
			for (size_t j = 0; j < kubelets->n; j++)
				add(a, img, "registry", use, kubelets->v[j]);
			if (!kubelets->n)
				add(a, img, "registry", use, NULL);
		}
		free(use);
		free(img);
	}
}

int plan_images(const struct plan *p, struct plan_image **ret, size_t *ret_n, struct perr *err)
{
	struct acc a = { 0 };
	struct strv kubelets = STRV_INIT;
	for (size_t i = 0; i < plan_node_count(p); i++) {
		const char *node = plan_node_at(p, i)->name;
		size_t nc;
		const struct plan_container *ct = plan_node_containers(p, i, &nc);
		for (size_t j = 0; j < nc; j++)
			add(&a, ct[j].image, ct[j].source, ct[j].name, node);
		for (size_t j = 0; j < nc; j++) {
			if (strcmp(ct[j].name, "kubelet"))
				continue;
			strv_add(&kubelets, node);
			for (size_t k = 0; ct[j].args && ct[j].args[k]; k++)
				if (!strncmp(ct[j].args[k], PAUSE_FLAG, strlen(PAUSE_FLAG)) &&
				    ct[j].args[k][strlen(PAUSE_FLAG)])
					add(&a, ct[j].args[k] + strlen(PAUSE_FLAG), "registry", "pod sandbox", node);
		}
	}
	add_addons(&a, p, &kubelets);
	a.oom |= kubelets.oom;
	strv_clear(&kubelets);
	for (size_t i = 0; i < a.n; i++) {
		a.oom |= a.uses[i].oom || a.nodes[i].oom;
		a.v[i].uses = strv_steal(&a.uses[i]);
		a.v[i].nodes = strv_steal(&a.nodes[i]);
		a.oom |= !a.v[i].uses || !a.v[i].nodes;
	}
	free(a.uses);
	free(a.nodes);
	if (a.oom) {
		plan_images_free(a.v, a.n);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	*ret = a.v;
	*ret_n = a.n;
	return 0;
}

void plan_images_free(struct plan_image *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].image);
		free(v[i].registry);
		strv_free(v[i].uses);
		strv_free(v[i].nodes);
	}
	free(v);
}
