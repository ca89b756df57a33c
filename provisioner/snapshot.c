#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define TIME_FMT "%Y%m%dT%H%M%SZ"
#define TIME_LEN 16

static int positive(const struct nodecfg *c, const char *key, long *out, struct perr *err)
{
	const char *v = nodecfg_get(c, key);
	char *end;
	long n;

	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n <= 0)
		return perr_set(err, -EINVAL, "node.conf: %s=%s is not a positive number", key, v);
	*out = n;
	return 0;
}

int snapshot_policy_read(const struct nodecfg *c, struct snapshot_policy *out, struct perr *err)
{
	const char *rs = nodecfg_get(c, "etcd.restore");

	*out = (struct snapshot_policy){ 0, 1, NULL };
	if (positive(c, "etcd.snapshot.interval_secs", &out->interval_secs, err) < 0 ||
	    positive(c, "etcd.snapshot.retention", &out->retention, err) < 0)
		return -EINVAL;
	if (rs && *rs) {
		if (strchr(rs, '/') || *rs == '.')
			return perr_set(err, -EINVAL, "node.conf: etcd.restore=%s is not a file name", rs);
		if (!(out->restore = strdup(rs)))
			return perr_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

void snapshot_policy_free(struct snapshot_policy *p)
{
	free(p->restore);
	p->restore = NULL;
}

int snapshot_name(const char *node, time_t t, char *buf, size_t size)
{
	struct tm tm;
	char ts[TIME_LEN + 1];
	int n;

	if (!gmtime_r(&t, &tm) || strftime(ts, sizeof(ts), TIME_FMT, &tm) != TIME_LEN)
		return -EINVAL;
	n = snprintf(buf, size, SNAPSHOT_PREFIX "%s_%s", node, ts);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

time_t snapshot_name_time(const char *name)
{
	size_t len = strlen(name), pl = strlen(SNAPSHOT_PREFIX);
	struct tm tm = { 0 };
	const char *ts, *end;

	if (len < pl + 2 + TIME_LEN || strncmp(name, SNAPSHOT_PREFIX, pl))
		return -1;
	ts = name + len - TIME_LEN;
	if (ts[-1] != '_')
		return -1;
	end = strptime(ts, TIME_FMT, &tm);
	if (!end || *end)
		return -1;
	return timegm(&tm);
}

time_t snapshot_next_due(time_t newest, long interval_secs, time_t now)
{
	if (newest < 0 || newest > now + interval_secs)
		return now;
	return newest + interval_secs;
}

struct dated {
	time_t t;
	size_t i;
};

static int by_time(const void *a, const void *b)
{
	const struct dated *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int snapshot_prune_list(char *const *names, size_t n, long retention, size_t **ret, size_t *ret_n,
			time_t *ret_newest)
{
	struct dated *d = calloc(n ? n : 1, sizeof(*d));
	size_t m = 0, drop;

	*ret = NULL;
	*ret_n = 0;
	*ret_newest = -1;
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		time_t t = snapshot_name_time(names[i]);
		if (t >= 0)
			d[m++] = (struct dated){ t, i };
	}
	qsort(d, m, sizeof(*d), by_time);
	if (m)
		*ret_newest = d[m - 1].t;
	drop = retention < 1 ? 0 : m > (size_t)retention ? m - (size_t)retention : 0;
	if (drop) {
		if (!(*ret = calloc(drop, sizeof(**ret)))) {
			free(d);
			return -ENOMEM;
		}
		for (size_t k = 0; k < drop; k++)
			(*ret)[k] = d[k].i;
		*ret_n = drop;
	}
	free(d);
	return 0;
}

static bool num_field(const struct json *j, const char *key, unsigned long long *out)
{
	const struct json *v = json_get(j, key);

	if (!v || v->type != JSON_NUM)
		return false;
	*out = (unsigned long long)v->num;
	return true;
}

int snapshot_status_parse(const char *output, struct snapshot_status *out, struct perr *err)
{
	const char *line = output;

	*out = (struct snapshot_status){ 0 };
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (*line == '{') {
			struct json *j = NULL;
			struct perr jerr = PERR_INIT;
			int r = json_parse(line, len, &j, &jerr);
			perr_clear(&jerr);
			/* etcdctl's own log lines are JSON too: the status is the one with a hash */
			if (r == 0 && j->type == JSON_OBJ && json_get(j, "hash")) {
				bool ok = num_field(j, "hash", &out->hash) &&
					  num_field(j, "revision", &out->revision) &&
					  num_field(j, "totalKey", &out->total_keys) &&
					  num_field(j, "totalSize", &out->total_size);
				json_free(j);
				if (!ok)
					return perr_set(err, -EINVAL, "etcdctl snapshot status: hash, revision, "
							"totalKey or totalSize missing");
				return 0;
			}
			json_free(j);
		}
		line = nl ? nl + 1 : NULL;
	}
	return perr_set(err, -EINVAL, "etcdctl snapshot status printed no status");
}
