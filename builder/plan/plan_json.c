#include "plan/plan_output.h"

#include <string.h>

#include "config/config.h"

static void json_chars(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
}

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	json_chars(f, s);
	fputc('"', f);
}

static void json_strv(FILE *f, char *const *v, const char *ind)
{
	if (!v || !v[0]) {
		fputs("[]", f);
		return;
	}
	fputs("[\n", f);
	for (size_t i = 0; v[i]; i++) {
		fprintf(f, "%s  ", ind);
		json_string(f, v[i]);
		fputs(v[i + 1] ? ",\n" : "\n", f);
	}
	fprintf(f, "%s]", ind);
}

static void json_opt(FILE *f, const char *s)
{
	if (s)
		json_string(f, s);
	else
		fputs("null", f);
}

int plan_write_json(const struct plan *p, FILE *f)
{
	const struct cluster *c = plan_cluster(p);
	const struct plan_build_opts *o = plan_build_options(p);
	fprintf(f, "{\n  \"paddock_plan\": %d,\n  \"file\": ", PLAN_JSON_VERSION);
	json_string(f, c->file);
	fputs(",\n  \"cluster_name\": ", f);
	json_string(f, plan_cluster_name(p));
	fputs(",\n  \"kubernetes_version\": ", f);
	json_string(f, c->kubernetes_version);
	fputs(",\n  \"network_plugin\": ", f);
	json_string(f, c->network.plugin);
	fputs(",\n  \"build\": {\n    \"kernel\": ", f);
	json_string(f, o->kernel_flavour);
	fputs(",\n    \"compression\": ", f);
	json_string(f, o->compression);
	fputs(",\n    \"formats\": ", f);
	json_strv(f, o->formats, "    ");
	fputs(",\n    \"http_base\": ", f);
	json_opt(f, o->http_base);
	fputs(",\n    \"console\": ", f);
	json_string(f, o->console);
	fprintf(f, ",\n    \"menu_timeout\": %d\n  },\n", o->menu_timeout);

	/* etcd */
	fputs("  \"etcd\": {\n    \"members\": [", f);
	bool first = true;
	for (size_t i = 0; i < plan_node_count(p); i++) {
		const struct plan_node *n = plan_node_at(p, i);
		if (!(n->roles & PLAN_ROLE_ETCD))
			continue;
		fputs(first ? "\n" : ",\n", f);
		first = false;
		fputs("      { \"name\": \"etcd-", f);
		json_chars(f, n->name);
		fputs("\", \"node\": ", f);
		json_string(f, n->name);
		fputs(", \"peer_url\": \"https://", f);
		json_chars(f, n->internal_address);
		fputs(":2380\", \"client_url\": \"https://", f);
		json_chars(f, n->internal_address);
		fputs(":2379\" }", f);
	}
	fputs(first ? "],\n" : "\n    ],\n", f);
	fputs("    \"initial_cluster\": ", f);
	json_string(f, plan_etcd_initial_cluster(p));
	fputs(",\n    \"external_urls\": ", f);
	json_strv(f, c->services.etcd.external_urls.v, "    ");
	fputs(",\n    \"user\": ", f);
	if (c->services.etcd.uid && c->services.etcd.gid)
		fprintf(f, "\"%lld:%lld\"", c->services.etcd.uid, c->services.etcd.gid);
	else
		fputs("null", f);
	fputs(",\n    \"snapshots\": ", f);
	const struct cfg_etcd *e = &c->services.etcd;
	if (e->backup.present)
		fprintf(f, "{ \"enabled\": %s, \"interval_hours\": %lld, \"retention\": %lld, \"s3\": %s }",
			e->backup.enabled ? "true" : "false", e->backup.interval_hours,
			e->backup.retention, e->backup.s3.present ? "true" : "false");
	else
	{
		fprintf(f, "{ \"enabled\": %s, \"creation\": ", e->snapshot ? "true" : "false");
		json_string(f, e->creation);
		fputs(", \"retention\": ", f);
		json_string(f, e->retention);
		fputs(", \"s3\": false }", f);
	}
	fputs("\n  },\n", f);

	/* registries (no credentials) */
	fputs("  \"private_registries\": [", f);
	for (size_t i = 0; i < c->nregistries; i++) {
		const struct cfg_registry *g = &c->registries[i];
		fputs(i ? ",\n    { \"url\": " : "\n    { \"url\": ", f);
		json_string(f, g->url);
		fprintf(f, ", \"is_default\": %s, \"has_credentials\": %s }",
			g->is_default ? "true" : "false",
			(g->user && *g->user) || g->ecr ? "true" : "false");
	}
	fputs(c->nregistries ? "\n  ],\n" : "],\n", f);

	/* nodes */
	fputs("  \"nodes\": [", f);
	for (size_t i = 0; i < plan_node_count(p); i++) {
		const struct plan_node *n = plan_node_at(p, i);
		const struct cfg_node *cn = &c->nodes[i];
		fputs(i ? ",\n    {\n" : "\n    {\n", f);
		fputs("      \"name\": ", f);
		json_string(f, n->name);
		fputs(",\n      \"address\": ", f);
		json_string(f, n->address);
		fputs(",\n      \"internal_address\": ", f);
		json_string(f, n->internal_address);
		fputs(",\n      \"roles\": [", f);
		const char *rn[] = { "etcd", "controlplane", "worker" };
		bool f1 = true;
		for (int k = 0; k < 3; k++)
			if (n->roles & (1u << k)) {
				fprintf(f, "%s\"%s\"", f1 ? "" : ", ", rn[k]);
				f1 = false;
			}
		fputs("],\n      \"ssh_user\": ", f);
		json_string(f, cn->user);
		fputs(",\n      \"boot\": {\n        \"mac\": ", f);
		json_opt(f, n->mac);
		fputs(",\n        \"network\": { \"mode\": ", f);
		json_string(f, n->dhcp ? "dhcp" : "static");
		fputs(", \"address\": ", f);
		json_opt(f, n->net_address);
		fputs(", \"gateway\": ", f);
		json_opt(f, n->net_gateway);
		fputs(", \"dns\": ", f);
		json_strv(f, n->dns, "        ");
		fputs(" },\n        \"state_disk\": ", f);
		json_opt(f, n->state_disk);
		fputs(",\n        \"kernel_args\": ", f);
		json_opt(f, n->kernel_args);
		fprintf(f, ",\n        \"debug_shell\": %s\n      },\n", n->debug_shell ? "true" : "false");
		fputs("      \"labels\": {", f);
		for (size_t j = 0; j < cn->labels.n; j++) {
			fputs(j ? ", " : " ", f);
			json_string(f, cn->labels.v[j].key);
			fputs(": ", f);
			json_string(f, cn->labels.v[j].val);
		}
		fputs(cn->labels.n ? " },\n" : "},\n", f);
		fputs("      \"taints\": [", f);
		for (size_t j = 0; j < cn->ntaints; j++) {
			fputs(j ? ", { \"key\": " : " { \"key\": ", f);
			json_opt(f, cn->taints[j].key);
			fputs(", \"value\": ", f);
			json_opt(f, cn->taints[j].value);
			fputs(", \"effect\": ", f);
			json_opt(f, cn->taints[j].effect);
			fputs(" }", f);
		}
		fputs(cn->ntaints ? " ],\n" : "],\n", f);

		size_t nc, ncert, nf;
		const struct plan_container *ct = plan_node_containers(p, i, &nc);
		fputs("      \"containers\": [", f);
		for (size_t j = 0; j < nc; j++) {
			fputs(j ? ",\n        {\n" : "\n        {\n", f);
			fputs("          \"name\": ", f);
			json_string(f, ct[j].name);
			fputs(",\n          \"image\": ", f);
			json_string(f, ct[j].image);
			fputs(",\n          \"user\": ", f);
			json_opt(f, ct[j].user);
			fputs(",\n          \"args\": ", f);
			json_strv(f, ct[j].args, "          ");
			fputs(",\n          \"binds\": ", f);
			json_strv(f, ct[j].binds, "          ");
			fputs(",\n          \"env\": ", f);
			json_strv(f, ct[j].env, "          ");
			fputs("\n        }", f);
		}
		fputs(nc ? "\n      ],\n" : "],\n", f);
		const struct plan_cert *ce = plan_node_certs(p, i, &ncert);
		fputs("      \"certificates\": [", f);
		for (size_t j = 0; j < ncert; j++) {
			fputs(j ? ",\n        { \"name\": " : "\n        { \"name\": ", f);
			json_string(f, ce[j].name);
			fputs(", \"common_name\": ", f);
			json_string(f, ce[j].common_name);
			fputs(", \"sans\": ", f);
			json_strv(f, ce[j].sans, "          ");
			fputs(" }", f);
		}
		fputs(ncert ? "\n      ],\n" : "],\n", f);
		const struct plan_file *fl = plan_node_files(p, i, &nf);
		fputs("      \"files\": [", f);
		for (size_t j = 0; j < nf; j++) {
			fputs(j ? ",\n        { \"path\": " : "\n        { \"path\": ", f);
			json_string(f, fl[j].path);
			fprintf(f, ", \"mode\": \"%04o\", \"source\": ", fl[j].mode);
			json_string(f, fl[j].source);
			fputs(" }", f);
		}
		fputs(nf ? "\n      ]\n    }" : "]\n    }", f);
	}
	fputs(plan_node_count(p) ? "\n  ]\n}\n" : "]\n}\n", f);
	return ferror(f) ? -1 : 0;
}
