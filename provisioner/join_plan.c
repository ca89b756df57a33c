#include "join_plan.h"

#include <string.h>

#include "strbuf.h"

size_t join_find(const struct etcd_member *m, size_t n, const char *url)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(m[i].peer_url, url))
			break;
	return i;
}

enum join_kind join_decide(const struct etcd_member *m, size_t n, const char *self_url, size_t *ret_index)
{
	size_t i = join_find(m, n, self_url);

	*ret_index = i;
	if (i < n)
		return *m[i].name ? JOIN_CONFLICT : JOIN_START_ADDED;
	/* etcd 3.4 keeps one learner at most: another node is joining */
	for (i = 0; i < n; i++)
		if (m[i].learner) {
			*ret_index = i;
			return JOIN_WAIT;
		}
	return JOIN_ADD;
}

char *join_initial_cluster(const struct etcd_member *m, size_t n, const char *self_name, const char *self_url)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_add(&sb, ",", 1);
		if (!strcmp(m[i].peer_url, self_url))
			sb_adds(&sb, self_name);
		else if (*m[i].name)
			sb_adds(&sb, m[i].name);
		else
			sb_printf(&sb, "unstarted-%llx", (unsigned long long)m[i].id);
		sb_printf(&sb, "=%s", m[i].peer_url);
	}
	return sb_steal(&sb);
}
