#include "serve/fleet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

static const char *const labels[][2] = {
	{ "dhcp", "DHCP offered" }, { "loader", "loader" }, { "script", "script" }, { "kernel", "kernel" },
	{ "base", "base" }, { "layer", "node layer" }, { "init", "booted" }, { "network", "network" },
	{ "state-disk", "state disk" }, { "system-docker", "System Docker" }, { "etcd-member", "etcd member" },
	{ "etcd-healthy", "etcd healthy" }, { "role-containers", "role containers" }, { "failed", "failed" },
	{ "refused", "refused" },
};
#define N_LABELS (sizeof(labels) / sizeof(labels[0]))

const char *fleet_stage_label(const char *stage)
{
	for (size_t i = 0; stage && i < N_LABELS; i++)
		if (!strcmp(labels[i][0], stage))
			return labels[i][1];
	return stage ? stage : "-";
}

/* The interned name, so rows never own stage strings. */
static const char *stage_name(const char *stage)
{
	for (size_t i = 0; stage && i < N_LABELS; i++)
		if (!strcmp(labels[i][0], stage))
			return labels[i][0];
	return NULL;
}

static bool server_stage(const char *s)
{
	return s && (!strcmp(s, "dhcp") || !strcmp(s, "loader") || !strcmp(s, "script") || !strcmp(s, "kernel") ||
		     !strcmp(s, "base") || !strcmp(s, "layer"));
}

int fleet_add(struct fleet *f, const char *name, const char *mac, const char *ip)
{
	struct fleet_row *v = realloc(f->rows, (f->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	f->rows = v;
	struct fleet_row *r = &v[f->n];
	memset(r, 0, sizeof(*r));
	if (!(r->name = strdup(name)))
		return -ENOMEM;
	snprintf(r->mac, sizeof(r->mac), "%s", mac ? mac : "");
	snprintf(r->ip, sizeof(r->ip), "%s", ip ? ip : "");
	f->n++;
	return 0;
}

void fleet_free(struct fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->rows[i].name);
		free(f->rows[i].detail);
	}
	free(f->rows);
	memset(f, 0, sizeof(*f));
}

void fleet_apply(struct fleet *f, const struct fleet_event *e)
{
	if (e->row >= f->n || !stage_name(e->stage) || !strcmp(e->stage, "refused"))
		return;
	struct fleet_row *r = &f->rows[e->row];
	/* a request of the boot chain after the node's own reports (or none): power-on */
	bool early = !strcmp(e->stage, "dhcp") || !strcmp(e->stage, "loader") || !strcmp(e->stage, "script");
	if (early && (!r->stage || !server_stage(r->stage))) {
		r->since_ms = e->when_ms;
		r->bytes = 0;
	}
	if (e->from_node && !r->since_ms)
		r->since_ms = e->when_ms - (long long)e->node_ms;
	r->stage = stage_name(e->stage);
	r->last_ms = e->when_ms;
	r->bytes += e->bytes;
	if (e->ip && *e->ip)
		snprintf(r->ip, sizeof(r->ip), "%s", e->ip);
	free(r->detail);
	r->detail = e->detail ? strdup(e->detail) : NULL;
}

static void hhmmss(struct strbuf *sb, long long ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char b[16];
	if (!localtime_r(&t, &tm) || !strftime(b, sizeof(b), "%H:%M:%S", &tm))
		strcpy(b, "--:--:--");
	sb_adds(sb, b);
}

static void human_bytes(struct strbuf *sb, unsigned long long b)
{
	if (b < 1024)
		sb_printf(sb, "%llu B", b);
	else if (b < 1024 * 1024)
		sb_printf(sb, "%.1f KiB", (double)b / 1024);
	else
		sb_printf(sb, "%.1f MiB", (double)b / (1024 * 1024));
}

void fleet_event_line(struct strbuf *sb, const struct fleet *f, const struct fleet_event *e)
{
	const struct fleet_row *r = e->row < f->n ? &f->rows[e->row] : NULL;
	hhmmss(sb, e->when_ms);
	sb_printf(sb, " %-12s %-17s %-15s %s", r ? r->name : "-", e->mac && *e->mac ? e->mac : r ? r->mac : "-",
		  e->ip && *e->ip ? e->ip : r && *r->ip ? r->ip : "-", fleet_stage_label(e->stage));
	if (e->from_node)
		sb_printf(sb, " (node: %llu.%03llu s after boot)", e->node_ms / 1000, e->node_ms % 1000);
	if (e->bytes) {
		sb_adds(sb, " ");
		human_bytes(sb, e->bytes);
	}
	if (e->detail)
		sb_printf(sb, ": %s", e->detail);
	sb_adds(sb, "\n");
}

void fleet_event_json(struct strbuf *sb, const struct fleet *f, const struct fleet_event *e)
{
	const struct fleet_row *r = e->row < f->n ? &f->rows[e->row] : NULL;
	sb_printf(sb, "{\"time_ms\":%lld,\"node\":", e->when_ms);
	sb_json_str(sb, r ? r->name : NULL);
	sb_adds(sb, ",\"mac\":");
	sb_json_str(sb, e->mac && *e->mac ? e->mac : r ? r->mac : NULL);
	sb_adds(sb, ",\"address\":");
	sb_json_str(sb, e->ip && *e->ip ? e->ip : r ? r->ip : NULL);
	sb_adds(sb, ",\"stage\":");
	sb_json_str(sb, e->stage);
	sb_printf(sb, ",\"source\":\"%s\",\"bytes\":%llu", e->from_node ? "node" : "server", e->bytes);
	if (e->from_node)
		sb_printf(sb, ",\"node_ms\":%llu", e->node_ms);
	if (e->detail) {
		sb_adds(sb, ",\"detail\":");
		sb_json_str(sb, e->detail);
	}
	sb_adds(sb, "}\n");
}

void fleet_table(struct strbuf *sb, const struct fleet *f, long long now_ms)
{
	sb_printf(sb, "%-12s %-17s %-15s %-16s %9s %12s\n", "NODE", "MAC", "ADDRESS", "STAGE", "UP", "BYTES");
	for (size_t i = 0; i < f->n; i++) {
		const struct fleet_row *r = &f->rows[i];
		struct strbuf up = STRBUF_INIT, by = STRBUF_INIT;
		if (r->since_ms) {
			long long s = (now_ms - r->since_ms) / 1000;
			sb_printf(&up, "%lld:%02lld", (s < 0 ? 0 : s) / 60, (s < 0 ? 0 : s) % 60);
		}
		human_bytes(&by, r->bytes);
		sb_printf(sb, "%-12s %-17s %-15s %-16s %9s %12s", r->name, *r->mac ? r->mac : "-", *r->ip ? r->ip : "-",
			  fleet_stage_label(r->stage), up.s ? up.s : "-", by.s ? by.s : "-");
		if (r->detail)
			sb_printf(sb, " %s", r->detail);
		sb_adds(sb, "\n");
		sb_free(&up);
		sb_free(&by);
	}
}

char *fleet_status_json(const struct fleet *f, long long now_ms)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "{\"updated_ms\":%lld,\"nodes\":[", now_ms);
	for (size_t i = 0; i < f->n; i++) {
		const struct fleet_row *r = &f->rows[i];
		sb_adds(&sb, i ? ",\n {\"name\":" : "\n {\"name\":");
		sb_json_str(&sb, r->name);
		sb_adds(&sb, ",\"mac\":");
		sb_json_str(&sb, r->mac);
		sb_adds(&sb, ",\"address\":");
		sb_json_str(&sb, r->ip);
		sb_adds(&sb, ",\"stage\":");
		sb_json_str(&sb, r->stage);
		sb_adds(&sb, ",\"detail\":");
		sb_json_str(&sb, r->detail);
		sb_printf(&sb, ",\"since_ms\":%lld,\"last_ms\":%lld,\"bytes\":%llu}", r->since_ms, r->last_ms, r->bytes);
	}
	sb_adds(&sb, "\n]}\n");
	return sb_steal(&sb);
}

int fleet_status_parse(const char *buf, size_t len, struct fleet *f, long long *updated_ms, struct perr *err)
{
	struct json *j = NULL;
	int r = json_parse(buf, len, &j, err);
	if (r < 0)
		return r;
	const struct json *nodes = json_get(j, "nodes");
	*updated_ms = (long long)json_num_at(j, "updated_ms", 0);
	if (!nodes || nodes->type != JSON_ARR)
		r = perr_set(err, -EINVAL, "no \"nodes\" list");
	for (const struct json *x = r < 0 ? NULL : nodes->child; x; x = x->next) {
		const char *name = json_str_at(x, "name"), *detail = json_str_at(x, "detail");
		if (!name || fleet_add(f, name, json_str_at(x, "mac"), json_str_at(x, "address")) < 0) {
			r = perr_set(err, -EINVAL, "a node without a name");
			break;
		}
		struct fleet_row *row = &f->rows[f->n - 1];
		row->stage = stage_name(json_str_at(x, "stage"));
		row->detail = detail && *detail ? strdup(detail) : NULL;
		row->since_ms = (long long)json_num_at(x, "since_ms", 0);
		row->last_ms = (long long)json_num_at(x, "last_ms", 0);
		row->bytes = (unsigned long long)json_num_at(x, "bytes", 0);
	}
	json_free(j);
	return r;
}
