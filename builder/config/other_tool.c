/* other_tool: files written for another tool (other_tool.h).  It reads the
 * text, not the tree, so that it also works on files YAML refuses. */
#include "config/other_tool.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config/schema.h"

/* The value of a top-level "key: value" line, trimmed, into out; "" when
 * line p[0..n) is not one. */
static void top_value(const char *p, size_t n, const char *key, char *out, size_t cap)
{
	size_t k = strlen(key);
	out[0] = '\0';
	if (n <= k || strncmp(p, key, k) || p[k] != ':')
		return;
	const char *v = p + k + 1, *end = p + n;
	while (v < end && (*v == ' ' || *v == '\t' || *v == '"' || *v == '\''))
		v++;
	size_t len = 0;
	while (v + len < end && !strchr(" \t\"'#\r", v[len]))
		len++;
	if (len >= cap)
		len = cap - 1;
	memcpy(out, v, len);
	out[len] = '\0';
}

static const struct {
	const char *api;        /* a part of apiVersion */
	const char *what;
} tools[] = {
	{ "kind.x-k8s.io", "kind's cluster config" },
	{ "cluster.x-k8s.io", "a Cluster API manifest" },
	{ "provisioning.cattle.io", "a Rancher provisioning (RKE2/K3s) manifest" },
	{ "cattle.io", "a Rancher manifest" },
	{ "k3d.io", "a k3d config" },
	{ "kubeadm.k8s.io", "a kubeadm config" },
};

#define RKE_BLOCK "rancher_kubernetes_engine_config:"

/* Whether the lines after a top-level `rancher_kubernetes_engine_config:`
 * at p hold RKE's keys: its first indented key is a top-level cluster.yml
 * key. */
static bool holds_rke_keys(const char *p, const char *end)
{
	for (const char *nl; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), i = 0;
		while (i < n && p[i] == ' ')
			i++;
		if (i == n || p[i] == '#' || p[i] == '\r')
			continue;
		if (i == 0)
			return false;
		size_t k = 0;
		char key[64];
		while (i + k < n && k + 1 < sizeof(key) && p[i + k] != ':' && p[i + k] != ' ')
			key[k] = p[i + k], k++;
		key[k] = '\0';
		return i + k < n && p[i + k] == ':' && schema_child(0, key) >= 0;
	}
	return false;
}

void other_tool_hint(const char *file, const char *buf, size_t len, struct diag_list *diags)
{
	int line = 1;
	char api[64] = "", kind[64] = "", v[64];
	bool cloud_config = len >= 13 && !strncmp(buf, "#cloud-config", 13), content = false;
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (content && n >= 3 && (!strncmp(p, "---", 3) || !strncmp(p, "...", 3)))
			break;  /* RKE reads the first document only */
		content |= n && p[0] != '#' && p[0] != ' ' && p[0] != '-';
		top_value(p, n, "apiVersion", v, sizeof(v));
		if (*v && !*api)
			strcpy(api, v);
		top_value(p, n, "kind", v, sizeof(v));
		if (*v && !*kind)
			strcpy(kind, v);
		cloud_config |= n >= 8 && !strncmp(p, "rancher:", 8);
		if (n >= strlen(RKE_BLOCK) && !strncmp(p, RKE_BLOCK, strlen(RKE_BLOCK)) && nl &&
		    holds_rke_keys(nl + 1, end)) {
			diag_note(diags, file, line, 1, "this looks like a Rancher cluster export: RKE's "
				  "cluster file is its `rancher_kubernetes_engine_config:` block; use "
				  "that block's content, un-indented and with `nodes:`, as the cluster "
				  "file");
			return;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	const char *what = NULL;
	for (size_t i = 0; *api && !what && i < sizeof(tools) / sizeof(*tools); i++)
		if (strstr(api, tools[i].api))
			what = tools[i].what;
	if (!what && *api && *kind)
		what = "a Kubernetes manifest";
	else if (!what && !strcmp(kind, "Cluster"))
		what = "a `kind: Cluster` file of another tool (kind, Cluster API, Rancher)";
	else if (!what && cloud_config)
		what = "a cloud-config (RancherOS or cloud-init)";
	if (!what)
		return;
	char seen[160] = "";
	if (*api || *kind)
		snprintf(seen, sizeof(seen), " (%s%s%s%s%s)", *api ? "apiVersion: " : "", api,
			 *api && *kind ? ", " : "", *kind ? "kind: " : "", kind);
	diag_note(diags, file, 0, 0, "this looks like %s%s, not an RKE cluster.yml: paddock reads "
		  "RKE's format (nodes: with address, user and role)", what, seen);
}
