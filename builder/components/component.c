/* component: a pinned component unpacked once into the cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "components/component.h"
#include "components/deb.h"
#include "components/digest.h"
#include "components/fetch.h"
#include "fsutil.h"

int component_check(const struct component *c, const char *deb, struct perr *err)
{
	char got[DIGEST_HEX_LEN + 1];
	int r = digest_file(deb, got, err);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return perr_wrap(err, "component %s", c->name);
	if (strcmp(got, c->sha256))
		return perr_set(err, -EBADMSG, "component %s: %s: sha256 mismatch: expected %s, got %s", c->name,
				deb, c->sha256, got);
	return 0;
}

int component_verify(const struct component *c, const char *cache, struct perr *err)
{
	char *deb = component_cache_path(c, cache);
	int r;
	if (!deb)
		return perr_set(err, -ENOMEM, "out of memory");
	if (access(deb, F_OK) < 0 && c->kind == COMPONENT_URL) {
		char *dir = path_join(cache, "debs");
		r = dir ? mkdir_p(dir, 0755, err) : perr_set(err, -ENOMEM, "out of memory");
		free(dir);
		if (r >= 0)
			r = fetch_url(c->url, c->sha256, deb, err);
		if (r < 0) {
			free(deb);
			return perr_wrap(err, "component %s", c->name);
		}
	}
	if (access(deb, F_OK) < 0) {
		char *what = c->version ? strdup(c->version) : fetch_url_shown(c->url);
		r = what ? perr_set(err, -ENOENT, "component %s %s is not in the cache (%s); run `paddock components`",
				    c->name, what, deb)
			 : perr_set(err, -ENOMEM, "out of memory");
		free(what);
		free(deb);
		return r;
	}
	if ((r = component_check(c, deb, err)) == -ENOENT)
		r = perr_wrap(err, "component %s", c->name);
	free(deb);
	return r;
}

/* Bumped whenever deb_extract's output changes, so a tree unpacked by an
 * older builder is never reused (2: hard links are kept). */
#define TREE_FORMAT "2"

int component_tree(const struct component *c, const char *cache, char **ret_dir, int *ret_fresh,
		   struct perr *err)
{
	char *trees = path_join(cache, "trees"), *dir = NULL, *deb = NULL;
	struct tmpdir tmp = TMPDIR_INIT;
	int r = 0;
	struct stat st;
	*ret_fresh = 0;
	if (!trees || asprintf(&dir, "%s/%s.v" TREE_FORMAT, trees, c->sha256) < 0) {
		dir = NULL;
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		*ret_dir = dir;
		dir = NULL;
		goto out;
	}
	if ((r = component_verify(c, cache, err)) < 0)
		goto out;
	if ((r = mkdir_p(trees, 0755, err)) < 0)
		goto out;
	sweep_stale(trees, "tree");
	if ((r = tmpdir_create(trees, "tree", &tmp, err)) < 0)
		goto out;
	if (!(deb = component_cache_path(c, cache))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((r = deb_extract(deb, tmp.path, err)) < 0) {
		perr_wrap(err, "component %s", c->name);
		goto out;
	}
	tmpdir_drop_lockfile(&tmp);
	if ((r = publish_dir(tmp.path, dir, err)) < 0)
		goto out;
	*ret_fresh = 1;
	*ret_dir = dir;
	dir = NULL;
out:
	tmpdir_end(&tmp);
	free(deb);
	free(dir);
	free(trees);
	return r;
}
