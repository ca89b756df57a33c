/* base: the shared base layer, built from configs/base.list (base_list.h)
 * and cached under its key (base_key.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/base.h"
#include "image/base_prune.h"
#include "components/digest.h"
#include "fsutil.h"
#include "image/base_key.h"
#include "image/base_list.h"

struct base_trees {
	struct base_list *c;
};

const char *base_tree(const struct base_trees *t, const char *component, struct perr *err)
{
	const struct component *comp = lock_find(t->c->lock, component);
	const char *dir = NULL;
	if (!comp) {
		perr_set(err, -ENOENT, "component %s is not in %s", component, t->c->lock->path);
		return NULL;
	}
	return base_list_tree(t->c, comp, &dir, err) < 0 ? NULL : dir;
}

/* The layer of base.list and of the generated parts, sorted. */
static int assemble(struct base_list *c, struct perr *err)
{
	int r = base_list_apply(c, err);
	if (r < 0)
		return r;
	struct base_trees bt = { c };
	for (size_t i = 0; i < c->o->nparts; i++) {
		const struct base_part *p = &c->o->parts[i];
		if (p->add && (r = p->add(p->ctx, &bt, &c->layer, err)) < 0)
			return perr_wrap(err, "%s", p->name);
	}
	return layer_sort(&c->layer, err);
}

static int info_add(struct nodecfg *info, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int info_add(struct nodecfg *info, const char *k, const char *fmt, ...)
{
	char *v = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	n = nodecfg_add(info, k, v);
	free(v);
	return n;
}

static int build_into(struct base_list *c, const char *tmp, struct perr *err)
{
	char *img = path_join(tmp, "base.img"), *vm = path_join(tmp, "vmlinuz"), *vsrc = NULL;
	char *infop = path_join(tmp, "info"), vsha[DIGEST_HEX_LEN + 1];
	struct nodecfg info = { 0 };
	struct cpio_stats st;
	char b1[16], b2[16];
	int r;
	double t0 = progress_now();
	if (!img || !vm || !infop) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if ((r = assemble(c, err)) < 0)
		goto out;
	double t1 = progress_now();
	progress_say(c->o->progress, "assemble base: %zu entries, %zu kernel modules (%.1f s)", c->layer.n,
		     c->nmodules, t1 - t0);
	if ((r = cpio_write(&c->layer, img, 0644, c->o->compression, c->o->mtime, 2, &st, err)) < 0)
		goto out;
	double t2 = progress_now();
	progress_say(c->o->progress, "archive base: %s newc -> %s %s (%.1f s)", progress_size(st.raw, b1),
		     progress_size(st.written, b2), compression_name(c->o->compression), t2 - t1);
	if ((r = base_list_vmlinuz(c, &vsrc, err)) < 0 || (r = copy_file(vsrc, vm, 0644, err)) < 0 ||
	    (r = digest_file(vm, vsha, err)) < 0)
		goto out;
	if (info_add(&info, "kernel.flavour", "%s", c->o->flavour) < 0 ||
	    info_add(&info, "kernel.package", "%s", c->kernel->name) < 0 ||
	    info_add(&info, "kernel.version", "%s", c->kernel->version ? c->kernel->version : "") < 0 ||
	    info_add(&info, "kernel.release", "%s", c->kernel_release ? c->kernel_release : "") < 0 ||
	    info_add(&info, "vmlinuz.sha256", "%s", vsha) < 0 ||
	    info_add(&info, "vmlinuz.size", "%lld", file_size(vm)) < 0 ||
	    info_add(&info, "base.sha256", "%s", st.sha256) < 0 ||
	    info_add(&info, "base.size", "%llu", (unsigned long long)st.written) < 0 ||
	    info_add(&info, "base.raw_size", "%llu", (unsigned long long)st.raw) < 0 ||
	    info_add(&info, "base.entries", "%zu", c->layer.n) < 0 ||
	    info_add(&info, "base.modules", "%zu", c->nmodules) < 0 ||
	    info_add(&info, "base.compression", "%s", compression_name(c->o->compression)) < 0 ||
	    info_add(&info, "base.archive_seconds", "%.3f", t2 - t1) < 0) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	size_t len;
	char *s = nodecfg_serialize(&info, &len);
	r = s ? write_file(infop, s, len, 0644, err) : perr_set(err, -ENOMEM, "out of memory");
	free(s);
out:
	nodecfg_free(&info);
	free(img);
	free(vm);
	free(vsrc);
	free(infop);
	return r;
}

int base_get(const struct base_opts *o, const struct lock *lock, struct base_result *out,
	     struct perr *err)
{
	struct base_list c;
	struct base_result b = { 0 };
	char *bases = NULL, *infop = NULL;
	struct tmpdir tmp = TMPDIR_INIT;
	int r = base_list_load(&c, o, lock, err);
	if (r < 0)
		goto out;
	if ((r = base_key(o, lock, &c.list, &b.key, err)) < 0)
		goto out;
	if (!(bases = path_join(o->cache, "base")) || !(b.dir = path_join(bases, b.key)) ||
	    !(b.img = path_join(b.dir, "base.img")) || !(b.vmlinuz = path_join(b.dir, "vmlinuz")) ||
	    !(infop = path_join(b.dir, "info"))) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* also when cached: what killed builds left is swept by the next one */
	sweep_stale(bases, "base");
	if (access(infop, F_OK) == 0) {
		b.cached = 1;
	} else {
		if ((r = mkdir_p(bases, 0755, err)) < 0)
			goto out;
		if ((r = tmpdir_create(bases, "base", &tmp, err)) < 0)
			goto out;
		if ((r = build_into(&c, tmp.path, err)) < 0)
			goto out;
		tmpdir_drop_lockfile(&tmp);
		if ((r = publish_dir(tmp.path, b.dir, err)) < 0)
			goto out;
	}
	if ((r = nodecfg_load(infop, &b.info, err)) < 0)
		goto out;
	base_mark_used(bases, b.key);
	unsigned long long freed;
	size_t pruned = base_prune(bases, b.key, &freed);
	if (pruned)
		progress_say(o->progress, "removed %zu old base(s) from %s (%.0f MB)", pruned, bases,
			     (double)freed / 1e6);
	*out = b;
	memset(&b, 0, sizeof(b));
out:
	tmpdir_end(&tmp);
	free(bases);
	free(infop);
	base_result_free(&b);
	base_list_free(&c);
	return r;
}

int base_write_raw(const struct base_opts *o, const struct lock *lock, const char *path,
		   struct perr *err)
{
	struct base_list c;
	int r = base_list_load(&c, o, lock, err);
	if (r >= 0)
		r = assemble(&c, err);
	if (r >= 0)
		r = cpio_write(&c.layer, path, 0644, COMPRESS_NONE, o->mtime, 0, NULL, err);
	base_list_free(&c);
	return r;
}

void base_result_free(struct base_result *b)
{
	char **owned[] = { &b->key, &b->dir, &b->img, &b->vmlinuz };
	for (size_t i = 0; i < sizeof(owned) / sizeof(*owned); i++)
		free(*owned[i]);
	nodecfg_free(&b->info);
	memset(b, 0, sizeof(*b));
}
