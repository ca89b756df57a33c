#include "media/media_files.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "media/loader_config.h"

static int add_out(struct strv *out, const char *prefix, const char *rel, struct perr *err)
{
	if (!out)
		return 0;
	strv_add_owned(out, path_join(prefix, rel));
	return out->oom ? perr_set(err, -ENOMEM, "out of memory") : 0;
}

/* dir/rel in *ret_dst, its parent directories made (0700).  On failure
 * *ret_dst is freed and NULL. */
static int make_parents(const char *dir, const char *rel, char **ret_dst, struct perr *err)
{
	char *dst = path_join(dir, rel);
	*ret_dst = dst;
	if (!dst)
		return perr_set(err, -ENOMEM, "out of memory");
	char *slash = strrchr(dst, '/');
	int r = 0;
	*slash = 0;
	r = mkdir_p(dst, 0700, err);
	*slash = '/';
	if (r < 0) {
		free(dst);
		*ret_dst = NULL;
	}
	return r;
}

static int put_file(const char *src, const char *dir, const char *rel, mode_t mode, bool link,
		    const char *prefix, struct strv *out, struct perr *err)
{
	char *dst;
	int r = make_parents(dir, rel, &dst, err);
	if (r < 0)
		return r;
	r = link ? link_or_copy(src, dst, mode, err) : copy_file(src, dst, mode, err);
	free(dst);
	return r < 0 ? r : add_out(out, prefix, rel, err);
}

int media_put_copy(const char *src, const char *dir, const char *rel, mode_t mode,
		   const char *prefix, struct strv *out, struct perr *err)
{
	return put_file(src, dir, rel, mode, false, prefix, out, err);
}

int media_put_text(const char *dir, const char *rel, char *text, const char *prefix,
		   struct strv *out, struct perr *err)
{
	char *dst = NULL;
	int r = text ? make_parents(dir, rel, &dst, err) : perr_set(err, -ENOMEM, "out of memory");
	if (r == 0)
		r = write_file(dst, text, strlen(text), 0644, err);
	free(dst);
	free(text);
	return r < 0 ? r : add_out(out, prefix, rel, err);
}

/* Copies into dir the files a network boot fetches: vmlinuz (and other
 * nodes' kernels), base.img and nodes/<name>.img. */
static int put_images(const struct media_input *in, const char *dir, const char *prefix,
		      struct strv *out, struct perr *err)
{
	int r;
	/* kernel, base and layers are build outputs already: link them */
	if ((r = put_file(in->base, dir, "base.img", 0644, true, prefix, out, err)) < 0)
		return r;
	for (size_t i = 0; i < in->n_nodes; i++) {
		const struct media_node *n = &in->nodes[i];
		char *k = media_kernel_file(in, i), *layer = NULL;
		if (!k || asprintf(&layer, "nodes/%s.img", n->name) < 0) {
			free(k);
			return perr_set(err, -ENOMEM, "out of memory");
		}
		/* node 0's kernel is shared: copy it once */
		if (i == 0 || strcmp(k, "vmlinuz"))
			r = put_file(n->kernel, dir, k, 0644, true, prefix, out, err);
		/* the layer holds the node's private keys */
		if (r == 0)
			r = put_file(n->node_layer, dir, layer, 0600, true, prefix, out, err);
		free(k);
		free(layer);
		if (r < 0)
			return perr_wrap(err, "node %s", n->name);
	}
	return 0;
}

static int put_node_texts(const struct media_input *in, const struct media_net_tree *t,
			  const char *dir, struct strv *out, struct perr *err)
{
	for (size_t i = 0; i < in->n_nodes; i++) {
		if (!in->nodes[i].mac)
			continue;
		char *rel = t->node_rel(in->nodes[i].mac);
		int r = rel ? media_put_text(dir, rel, t->node_text(in, i), t->name, out, err)
			    : perr_set(err, -ENOMEM, "out of memory");
		free(rel);
		if (r < 0)
			return r;
	}
	return 0;
}

/* An empty outdir/name.tmp (0700) in *ret_tmp, outdir/name in *ret_dst. */
static int tree_begin(const char *outdir, const char *name, char **ret_tmp, char **ret_dst,
		      struct perr *err)
{
	char *dst = path_join(outdir, name), *tmp = NULL;
	int r = 0;
	if (!dst || asprintf(&tmp, "%s.tmp", dst) < 0) {
		tmp = NULL;
		r = perr_set(err, -ENOMEM, "out of memory");
	} else if ((r = rm_rf(tmp, err)) == 0) {
		r = mkdir_p(tmp, 0700, err);
	}
	if (r < 0) {
		if (tmp)
			rm_rf_quiet(tmp);
		free(tmp);
		free(dst);
		return r;
	}
	*ret_tmp = tmp;
	*ret_dst = dst;
	return 0;
}

int media_net_tree_emit(const struct media_input *in, const struct media_net_tree *t,
			const char *outdir, struct strv *out, struct perr *err)
{
	char *tmp, *dst;
	int r = tree_begin(outdir, t->name, &tmp, &dst, err);
	if (r < 0)
		return r;
	for (size_t k = 0; r == 0 && k < t->n_loaders; k++)
		r = media_put_copy(t->loaders[k][0], tmp, t->loaders[k][1], 0644, t->name, out, err);
	if (r == 0)
		r = put_images(in, tmp, t->name, out, err);
	if (r == 0)
		r = media_put_text(tmp, t->default_rel, t->default_text(in), t->name, out, err);
	if (r == 0)
		r = put_node_texts(in, t, tmp, out, err);
	/* tmp replaces dst only when it is complete */
	if (r == 0)
		r = replace_dir(tmp, dst, err);
	if (r < 0)
		rm_rf_quiet(tmp);
	free(tmp);
	free(dst);
	return r;
}
