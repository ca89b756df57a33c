/* cache_fill: `paddock components`, the pinned components into the cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "components/cache_fill.h"
#include "components/component.h"
#include "components/fetch.h"
#include "fsutil.h"
#include "media/runtool.h"
#include "strv.h"

/* apt-get update waits this often for another apt's lock (60 s each). */
#define UPDATE_TRIES 6

struct want {
	const struct component *c;
	char *dest;   /* CACHE/debs/<file> */
	int failed;
};

struct fill {
	const struct progress *p;
	struct cache_fill_counts *counts;
	struct want *v;
	size_t n;
};

/* Says e (which names the component) and counts w as failed. */
static void fail(struct fill *f, struct want *w, struct perr *e)
{
	char *msg = perr_format(e);
	progress_say(f->p, "%s", msg ? msg : "out of memory");
	free(msg);
	perr_clear(e);
	w->failed = 1;
	f->counts->failed++;
}

static const char *file_name(const struct want *w)
{
	return strrchr(w->dest, '/') + 1;
}

/* Moves the download of w from dir into the cache once its hash matched. */
static void place(struct fill *f, struct want *w, const char *dir)
{
	struct perr e = PERR_INIT;
	char *got = path_join(dir, file_name(w));
	int r = got ? component_check(w->c, got, &e) : perr_set(&e, -ENOMEM, "out of memory");
	if (r == -ENOENT) {
		perr_clear(&e);
		perr_set(&e, r, "component %s %s: apt-get download wrote no %s", w->c->name, w->c->version,
			 file_name(w));
	} else if (r >= 0 && (chmod(got, 0444) < 0 || rename(got, w->dest) < 0)) {
		r = perr_set(&e, -errno, "component %s: %s: %s", w->c->name, w->dest, strerror(errno));
	}
	if (r < 0) {
		fail(f, w, &e);
	} else {
		f->counts->fetched++;
		progress_say(f->p, "fetched %s %s", w->c->name, w->c->version);
	}
	free(got);
}

/* `apt-get download NAME=VERSION...` in dir for the deb wants (one when
 * only is given, else every one not failed yet). */
static int apt_download(struct fill *f, const char *dir, const struct want *only, struct perr *err)
{
	static const char *const fixed[] = { "apt-get", "download", "-q", "-o", "APT::Sandbox::User=root" };
	struct strv argv = STRV_INIT;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		strv_add(&argv, fixed[i]);
	for (size_t i = 0; i < f->n; i++) {
		const struct want *w = &f->v[i];
		if ((!only || w == only) && w->c->kind == COMPONENT_DEB && !w->failed)
			strv_addf(&argv, "%s=%s", w->c->name, w->c->version);
	}
	int r = argv.oom ? perr_set(err, -ENOMEM, "out of memory") : run_tool_in(dir, argv.v, -1, err);
	strv_clear(&argv);
	return r;
}

/* Refreshes apt's package lists (a stale list fails the download), waiting
 * for another apt that holds their lock. */
static int apt_update(const struct progress *p, struct perr *err)
{
	char *argv[] = { "apt-get", "update", "-qq", "-o", "DPkg::Lock::Timeout=60", NULL };
	int r = -EIO;
	progress_say(p, "apt-get download failed; running apt-get update and retrying");
	for (int try = 1; try <= UPDATE_TRIES; try++) {
		perr_clear(err);
		if ((r = run_tool(argv, -1, err)) >= 0 || !strstr(err->msg ? err->msg : "", "Could not get lock") ||
		    try == UPDATE_TRIES)
			break;
		sleep(10);
	}
	return r;
}

/* Removes what a failed apt-get download left in dir. */
static void remove_debs(const char *dir)
{
	char **names = NULL;
	size_t n = 0;
	struct perr e = PERR_INIT;
	if (dir_list_sorted(dir, ".deb", &names, &n, &e) < 0) {
		perr_clear(&e);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *p = path_join(dir, names[i]);
		if (p)
			unlink(p);
		free(p);
	}
	strv_free(names);
}

static int fetch_debs(struct fill *f, const char *debs, size_t ndeb, struct perr *err)
{
	char *apt = find_program("apt-get");
	if (!apt) {
		for (size_t i = 0; i < f->n; i++) {
			struct want *w = &f->v[i];
			struct perr e = PERR_INIT;
			if (w->c->kind == COMPONENT_DEB) {
				perr_set(&e, -ENOENT, "component %s %s: not in the cache", w->c->name, w->c->version);
				fail(f, w, &e);
			}
		}
		return perr_set(err, -ENOENT,
				"%zu Debian package(s) to fetch and no apt-get on PATH: paddock fetches them with "
				"`apt-get download` (Debian's apt, from the release the lock pins); install apt, "
				"or put the .deb files named above into %s",
				ndeb, debs);
	}
	free(apt);
	struct tmpdir tmp = TMPDIR_INIT;
	struct perr e = PERR_INIT;
	sweep_stale(debs, "fetch");
	int r = tmpdir_create(debs, "fetch", &tmp, err);
	if (r < 0)
		return r;
	progress_say(f->p, "downloading %zu package(s) into %s", ndeb, debs);
	if ((r = apt_download(f, tmp.path, NULL, &e)) < 0 && geteuid() == 0) {
		perr_clear(&e);
		if ((r = apt_update(f->p, &e)) >= 0) {
			remove_debs(tmp.path);
			r = apt_download(f, tmp.path, NULL, &e);
		} else {
			progress_say(f->p, "apt-get update failed: %s", e.msg ? e.msg : "");
		}
	}
	perr_clear(&e);
	for (size_t i = 0; r < 0 && i < f->n; i++) {
		struct want *w = &f->v[i];
		if (w->c->kind != COMPONENT_DEB || w->failed)
			continue;
		char *have = path_join(tmp.path, file_name(w));
		if (have && access(have, F_OK) < 0 && apt_download(f, tmp.path, w, &e) < 0) {
			perr_wrap(&e, "component %s %s", w->c->name, w->c->version);
			fail(f, w, &e);
		}
		free(have);
	}
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].c->kind == COMPONENT_DEB && !f->v[i].failed)
			place(f, &f->v[i], tmp.path);
	tmpdir_end(&tmp);
	return 0;
}

/* Sorts c into cached, to fetch (missing or corrupt) or failed. */
static int classify(struct fill *f, const struct component *c, const char *cache, size_t *ndeb)
{
	struct want *w = &f->v[f->n];
	struct perr e = PERR_INIT;
	if (!(w->dest = component_cache_path(c, cache)))
		return -ENOMEM;
	w->c = c;
	int r = component_check(c, w->dest, &e);
	if (r == -EBADMSG) {
		char *msg = perr_format(&e);
		progress_say(f->p, "%s; fetching it again", msg ? msg : "corrupt");
		free(msg);
	}
	if (r == 0) {
		f->counts->cached++;
		free(w->dest);
		w->dest = NULL;
	} else if (r == -ENOENT || r == -EBADMSG) {
		f->n++;
		*ndeb += c->kind == COMPONENT_DEB;
	} else {
		f->n++;
		fail(f, w, &e);
	}
	perr_clear(&e);
	return 0;
}

int cache_fill(const struct lock *lock, const char *cache, const struct progress *p,
	       struct cache_fill_counts *counts, struct perr *err)
{
	struct fill f = { p, counts, calloc(lock->n + 1, sizeof(struct want)), 0 };
	char *debs = path_join(cache, "debs");
	size_t ndeb = 0;
	int r = f.v && debs ? 0 : perr_set(err, -ENOMEM, "out of memory");
	*counts = (struct cache_fill_counts){ 0 };
	if (r >= 0)
		r = mkdir_p(debs, 0755, err);
	/* what killed fetches left; a live fetch holds its temporary locked */
	size_t swept = r >= 0 ? sweep_stale_files(debs, FETCH_TMP) : 0;
	if (swept)
		progress_say(p, "removed %zu download temporar%s that killed fetches left in %s", swept,
			     swept == 1 ? "y" : "ies", debs);
	for (size_t i = 0; r >= 0 && i < lock->n; i++)
		if (classify(&f, &lock->v[i], cache, &ndeb) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; r >= 0 && i < f.n; i++) {
		struct want *w = &f.v[i];
		struct perr e = PERR_INIT;
		if (w->c->kind != COMPONENT_URL || w->failed)
			continue;
		char *shown = fetch_url_shown(w->c->url);
		progress_say(p, "fetching %s from %s", w->c->name, shown ? shown : "its URL");
		free(shown);
		if (fetch_url(w->c->url, w->c->sha256, w->dest, &e) < 0) {
			perr_wrap(&e, "component %s", w->c->name);
			fail(&f, w, &e);
		} else {
			counts->fetched++;
			progress_say(p, "fetched %s", w->c->name);
		}
	}
	if (r >= 0 && ndeb)
		r = fetch_debs(&f, debs, ndeb, err);
	if (r >= 0 && counts->failed)
		r = perr_set(err, -EIO,
			     "%zu of %zu component(s) are not in the cache with their pinned hash (each is named above)",
			     counts->failed, lock->n);
	else if (r >= 0)
		progress_say(p, "%zu cached, %zu fetched, all hashes match (%s)", counts->cached, counts->fetched, debs);
	for (size_t i = 0; f.v && i < f.n; i++)
		free(f.v[i].dest);
	free(f.v);
	free(debs);
	return r;
}
