#include "prov_members.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

void prov_members_free(struct prov *p)
{
	etcd_members_free(p->members, p->nmembers);
	strv_free(p->health);
	p->members = NULL;
	p->health = NULL;
	p->nmembers = 0;
}

void prov_members_refresh(struct prov *p, const char *url)
{
	struct perr err = PERR_INIT;
	struct etcd_member *m = NULL;
	uint64_t leader = 0;
	size_t n = 0;

	if (p->ops->members(p->ctx, url, &m, &n, &err) < 0) {
		perr_clear(&err);
		return;
	}
	p->ops->leader(p->ctx, url, &leader, &err);
	perr_clear(&err);
	prov_members_free(p);
	p->members = m;
	p->nmembers = n;
	p->leader = leader;
	p->health = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; p->health && i < n; i++) {
		const char *murl = *m[i].client_url ? m[i].client_url : NULL;
		int r = murl ? p->ops->health(p->ctx, murl, true, &err) : -ENOENT;
		p->health[i] = strdup(r == 0 ? "healthy" : murl ? "unhealthy" : "?");
		perr_clear(&err);
	}
}
