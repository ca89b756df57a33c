/* build: from per-node inputs to files under OUT. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/base.h"
#include "build/build.h"
#include "fsutil.h"
#include "image/layer.h"
#include "image/node_layer.h"
#include "components/lock.h"
#include "out/manifest.h"
#include "out/outdir.h"

static int record(struct outfiles *f, const char *rel, const char *sha, unsigned long long size,
		  struct perr *err)
{
	return outfiles_add(f, rel, sha, size) < 0 ? perr_set(err, -ENOMEM, "out of memory") : 0;
}

/* Concatenates a and b into dst, hashing as it goes. */
static int concat2(const char *a, const char *b, const char *dst, char sha[DIGEST_HEX_LEN + 1],
		   unsigned long long *size, struct perr *err)
{
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), r = 0;
	struct digest *d = digest_new();
	char *buf = malloc(1 << 20);
	*size = 0;
	if (out < 0 || !d || !buf) {
		r = out < 0 ? perr_set(err, -errno, "%s: %s", dst, strerror(errno))
			    : perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	const char *srcs[] = { a, b };
	for (int i = 0; i < 2 && r >= 0; i++) {
		int in = open(srcs[i], O_RDONLY | O_CLOEXEC);
		if (in < 0) {
			r = perr_set(err, -errno, "%s: %s", srcs[i], strerror(errno));
			break;
		}
		for (;;) {
			ssize_t n = fd_read(in, buf, 1 << 20);
			if (n <= 0) {
				if (n < 0)
					r = perr_set(err, (int)n, "%s: %s", srcs[i], strerror((int)-n));
				break;
			}
			if ((r = fd_write_all(out, buf, (size_t)n)) < 0) {
				r = perr_set(err, r, "%s: %s", dst, strerror(-r));
				break;
			}
			digest_update(d, buf, (size_t)n);
			*size += (unsigned long long)n;
		}
		close(in);
	}
out:
	if (out >= 0 && close(out) < 0 && r >= 0)
		r = perr_set(err, -errno, "%s: %s", dst, strerror(errno));
	if (r >= 0) {
		digest_final(d, sha);
		d = NULL;
	}
	digest_abort(d);
	free(buf);
	return r;
}

static int write_node(const struct build_request *rq, const struct build_node *n, const char *tmp,
		      const struct base_result *base, struct outfiles *files, struct perr *err)
{
	struct layer l = { 0 };
	struct cpio_stats st;
	char *dir = path_join(tmp, n->name), *vmlinuz = path_join(tmp, "vmlinuz"), *p = NULL, *rel = NULL;
	int r;
	if (!dir || !vmlinuz) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (mkdir(dir, 0700) < 0) {
		r = perr_set(err, -errno, "%s: %s", dir, strerror(errno));
		goto out;
	}
	if ((r = node_layer(n, &l, err)) < 0)
		goto out;
#define PATHS(fname)                                                                 \
	(free(p), free(rel), p = path_join(dir, fname), rel = NULL,                  \
	 (p && asprintf(&rel, "%s/%s", n->name, fname) >= 0) ? 0 : -ENOMEM)
	if (PATHS("node.img") < 0)
		goto oom;
	/* the node layer and everything holding it carry the node's secrets: 0600 */
	if ((r = cpio_write(&l, p, 0600, rq->compression, rq->mtime, 0, &st, err)) < 0 ||
	    (r = record(files, rel, st.sha256, st.written, err)) < 0)
		goto out;
	if (PATHS("vmlinuz") < 0)
		goto oom;
	/* OUT's own kernel: a link inside OUT costs nothing and touches no cache */
	if ((r = link_or_copy(vmlinuz, p, 0644, err)) < 0)
		goto out;
	const struct outfile *vm = outfiles_find(files, "vmlinuz");
	if ((r = record(files, rel, vm->sha256, vm->size, err)) < 0)
		goto out;
	if (PATHS("cmdline") < 0)
		goto oom;
	size_t cl = strlen(n->cmdline);
	char *line = malloc(cl + 2);
	if (!line)
		goto oom;
	memcpy(line, n->cmdline, cl);
	line[cl] = '\n';
	char sha[DIGEST_HEX_LEN + 1];
	digest_buf(line, cl + 1, sha);
	r = write_file(p, line, cl + 1, 0644, err);
	free(line);
	if (r < 0 || (r = record(files, rel, sha, cl + 1, err)) < 0)
		goto out;
	if (rq->combined) {
		char *node_img = path_join(dir, "node.img");
		unsigned long long size;
		if (!node_img || PATHS("initrd.img") < 0) {
			free(node_img);
			goto oom;
		}
		r = concat2(base->img, node_img, p, sha, &size, err);
		free(node_img);
		if (r < 0 || (r = record(files, rel, sha, size, err)) < 0)
			goto out;
	}
#undef PATHS
	goto out;
oom:
	r = perr_set(err, -ENOMEM, "out of memory");
out:
	layer_free(&l);
	free(p);
	free(rel);
	free(dir);
	free(vmlinuz);
	return r < 0 ? perr_wrap(err, "node %s", n->name) : 0;
}

static int write_manifest(const struct build_request *rq, const struct lock *lock,
			  const struct base_result *base, const char *tmp, const struct outfiles *f,
			  char *const *operator_files, char sha[DIGEST_HEX_LEN + 1], size_t *len,
			  struct perr *err)
{
	struct manifest_node *nodes = calloc(rq->n ? rq->n : 1, sizeof *nodes);
	if (!nodes)
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < rq->n; i++)
		nodes[i] = (struct manifest_node){ rq->nodes[i].name, rq->nodes[i].cmdline };
	struct manifest_input m = {
		.cluster = rq->cluster_name, .source = rq->source, .source_date_epoch = rq->mtime,
		.version_data = rq->version_data,
		.base_key = base->key, .base_info = &base->info, .lock = lock, .nodes = nodes, .n_nodes = rq->n,
		.operator_files = operator_files,
	};
	int r = manifest_write(tmp, &m, f, sha, len, err);
	free(nodes);
	return r;
}

/* Runs a stage on the temporary OUT and records what it wrote; its paths
 * in *ret_added when asked. */
static int run_stage(const struct build_request *rq, const struct build_stage *stage, const char *what,
		     const char *dir, struct outfiles *files, struct strv *ret_added, struct perr *err)
{
	struct strv added = STRV_INIT;
	double t0 = progress_now();
	int r = stage->run(stage->ctx, dir, &added, err);
	for (size_t i = 0; r >= 0 && i < added.n; i++) {
		char sha[DIGEST_HEX_LEN + 1];
		struct stat st;
		char *p = path_join(dir, added.v[i]);
		if (!p)
			r = perr_set(err, -ENOMEM, "out of memory");
		else if ((r = digest_file(p, sha, err)) >= 0) {
			if (stat(p, &st) < 0)
				r = perr_set(err, -errno, "%s: %s", p, strerror(errno));
			else
				r = record(files, added.v[i], sha, (unsigned long long)st.st_size, err);
		}
		free(p);
	}
	if (r >= 0)
		progress_say(rq->progress, "%s: %zu files (%.1f s)", what, added.n, progress_now() - t0);
	if (r >= 0 && ret_added)
		*ret_added = added;
	else
		strv_clear(&added);
	return r < 0 ? perr_wrap(err, "%s", what) : 0;
}

static int valid_node_name(const char *s)
{
	if (!s || !*s || *s == '.' || outdir_name_taken(s))
		return 0;
	for (; *s; s++)
		if (*s == '/' || (unsigned char)*s < 0x21)
			return 0;
	return 1;
}

int build_run(const struct build_request *rq, struct perr *err)
{
	struct lock lock = { 0 };
	struct base_result base = { 0 };
	struct outdir od = { 0 };
	struct outfiles files = { 0 };
	struct strv operator_files = STRV_INIT;
	char *lockp = path_join(rq->root, LOCK_PATH), *p = NULL;
	char b1[16], b2[16];
	int r;
	double t0 = progress_now();
	if (!lockp)
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < rq->n; i++) {
		if (!valid_node_name(rq->nodes[i].name)) {
			free(lockp);
			return perr_set(err, -EINVAL, "node name '%s' cannot name a directory of the output",
					rq->nodes[i].name ? rq->nodes[i].name : "");
		}
		for (size_t k = 0; k < i; k++)
			if (!strcmp(rq->nodes[i].name, rq->nodes[k].name)) {
				free(lockp);
				return perr_set(err, -EINVAL, "two nodes are named '%s'", rq->nodes[i].name);
			}
	}
	if ((r = lock_load(lockp, &lock, err)) < 0)
		goto out;
	struct outdir_keep keep = { .input = rq->source, .root = rq->root, .cache = rq->cache };
	if ((r = outdir_begin(&od, rq->out, &keep, err)) < 0)
		goto out;
	struct base_opts bo = { .root = rq->root, .products = rq->products, .cache = rq->cache,
				.flavour = rq->flavour,
				.compression = rq->compression, .mtime = rq->mtime, .progress = rq->progress,
				.parts = rq->base_parts, .nparts = rq->nbase_parts };
	if ((r = base_get(&bo, &lock, &base, err)) < 0)
		goto out;
	const char *bsha = nodecfg_get(&base.info, "base.sha256"), *vsha = nodecfg_get(&base.info, "vmlinuz.sha256");
	const char *bsize = nodecfg_get(&base.info, "base.size"), *braw = nodecfg_get(&base.info, "base.raw_size");
	const char *vsize = nodecfg_get(&base.info, "vmlinuz.size");
	if (!bsha || !vsha || !bsize || !braw || !vsize) {
		r = perr_set(err, -EINVAL, "%s/info: incomplete; remove that directory", base.dir);
		goto out;
	}
	progress_say(rq->progress, "base %s: %s (%s uncompressed), kernel %s %s%s (%.1f s)", base.key,
		     progress_size(strtoull(bsize, NULL, 10), b1), progress_size(strtoull(braw, NULL, 10), b2),
		     nodecfg_get(&base.info, "kernel.release"), rq->flavour, base.cached ? ", cached" : "",
		     progress_now() - t0);
	double t1 = progress_now();
	/* Copies, not hard links: a link would make OUT's file the cache's, and an
	 * edit under OUT would corrupt the cache unseen (it is not verified on
	 * reuse).  Copies share blocks where the file system reflinks (btrfs,
	 * XFS); elsewhere base.img and vmlinuz are copied once per build. */
	if (!(p = path_join(od.tmp.path, "base.img")) || (r = copy_file(base.img, p, 0644, err)) < 0 ||
	    (r = record(&files, "base.img", bsha, strtoull(bsize, NULL, 10), err)) < 0)
		goto fail_alloc;
	free(p);
	if (!(p = path_join(od.tmp.path, "vmlinuz")) || (r = copy_file(base.vmlinuz, p, 0644, err)) < 0 ||
	    (r = record(&files, "vmlinuz", vsha, strtoull(vsize, NULL, 10), err)) < 0)
		goto fail_alloc;
	free(p);
	p = NULL;
	unsigned long long node_bytes = 0;
	for (size_t i = 0; i < rq->n; i++) {
		if ((r = write_node(rq, &rq->nodes[i], od.tmp.path, &base, &files, err)) < 0)
			goto out;
		char *rel = NULL;
		if (asprintf(&rel, "%s/node.img", rq->nodes[i].name) >= 0) {
			const struct outfile *nf = outfiles_find(&files, rel);
			node_bytes += nf ? nf->size : 0;
		}
		free(rel);
	}
	progress_say(rq->progress, "node layers: %zu node(s), %s in all, %s each on average (%.2f s)", rq->n,
		     progress_size(node_bytes, b1), progress_size(rq->n ? node_bytes / rq->n : 0, b2),
		     progress_now() - t1);
	if (rq->operator && (r = run_stage(rq, rq->operator, "operator files", od.tmp.path, &files, &operator_files,
					   err)) < 0)
		goto out;
	if (rq->media && (r = run_stage(rq, rq->media, "boot media", od.tmp.path, &files, NULL, err)) < 0)
		goto out;
	char msha[DIGEST_HEX_LEN + 1];
	size_t mlen;
	if ((r = write_manifest(rq, &lock, &base, od.tmp.path, &files, operator_files.v, msha, &mlen, err)) < 0 ||
	    (r = record(&files, "manifest.json", msha, mlen, err)) < 0 ||
	    (r = sums_write(od.tmp.path, &files, err)) < 0)
		goto out;
	if (rq->check && (r = rq->check->run(rq->check->ctx, od.tmp.path, err)) < 0)
		goto out;
	if ((r = outdir_commit(&od, err)) < 0)
		goto out;
	progress_say(rq->progress, "wrote %s: %zu files (%.1f s in all)", rq->out, files.n + 1,
		     progress_now() - t0);
	goto out;
fail_alloc:
	if (r >= 0)
		r = perr_set(err, -ENOMEM, "out of memory");
out:
	if (r < 0)
		outdir_abort(&od);
	free(p);
	free(lockp);
	strv_clear(&operator_files);
	outfiles_free(&files);
	base_result_free(&base);
	lock_free(&lock);
	return r;
}
