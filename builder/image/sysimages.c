#include "image/sysimages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/dockersave.h"
#include "fsutil.h"
#include "strv.h"

int sysimages_load(const char *dir, struct listfile **ret, size_t *ret_n, struct perr *err)
{
	char **names = NULL;
	size_t n = 0, loaded = 0;
	struct listfile *v = NULL;
	int r = dir_list_sorted(dir, ".list", &names, &n, err);

	if (r < 0)
		return r;
	if (r == 0 && !(v = calloc(n ? n : 1, sizeof(*v))))
		r = perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; r == 0 && i < n; i++) {
		char *p = NULL;
		if (asprintf(&p, "%s/%s", dir, names[i]) < 0)
			r = perr_set(err, -ENOMEM, "out of memory");
		else if ((r = listfile_load(p, &v[i], err)) == 0)
			loaded++;
		free(p);
	}
	strv_free(names);
	if (r < 0) {
		sysimages_free(v, loaded);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void sysimages_free(struct listfile *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		listfile_free(&v[i]);
	free(v);
}

int sysimages_tags(const char *dir, char ***ret, struct perr *err)
{
	struct listfile *v = NULL;
	size_t n = 0;
	struct strv tags = STRV_INIT;
	int r = sysimages_load(dir, &v, &n, err);

	for (size_t i = 0; r == 0 && i < n; i++) {
		for (size_t k = 0; r == 0 && k < v[i].n; k++) {
			const struct listline *ln = &v[i].lines[k];
			if (strcmp(ln->tok[0], "image"))
				continue;
			if (ln->ntok < 2)
				r = perr_setat(err, -EINVAL, v[i].path, ln->lineno, 1, "image: expected a TAG");
			else if (strv_contains(&tags, ln->tok[1]))
				r = perr_setat(err, -EEXIST, v[i].path, ln->lineno, 7, "image %s is defined twice",
					       ln->tok[1]);
			else
				strv_add(&tags, ln->tok[1]);
		}
	}
	sysimages_free(v, n);
	if (r < 0) {
		strv_clear(&tags);
		return r;
	}
	if (!(*ret = strv_steal(&tags)))
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

static int to_entries(const struct layer *l, const char *file, struct dsave_entry **ret, struct perr *err)
{
	struct dsave_entry *e = calloc(l->n ? l->n : 1, sizeof(*e));

	if (!e)
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < l->n; i++) {
		const struct lent *s = &l->v[i];
		e[i].path = s->path;
		e[i].perm = s->perm;
		e[i].uid = s->uid;
		e[i].gid = s->gid;
		switch (s->type) {
		case LENT_DIR: e[i].type = DSAVE_DIR; break;
		case LENT_FILE: e[i].type = DSAVE_FILE; e[i].src = s->src; break;
		case LENT_BLOB: e[i].type = DSAVE_BLOB; e[i].data = s->data; e[i].len = s->len; break;
		case LENT_LINK: e[i].type = DSAVE_LINK; e[i].target = s->target; break;
		default:
			free(e);
			return perr_set(err, -EINVAL, "%s: %s: device nodes do not belong in an image", file, s->path);
		}
	}
	*ret = e;
	return 0;
}

/* The fields after the directive, as a NULL-terminated array of the
 * line's strings (entrypoint and cmd). */
static int argv_of(const struct listfile *lf, const struct listline *ln, char ***ret, struct perr *err)
{
	if (ln->ntok < 2 || *ret)
		return perr_setat(err, -EINVAL, lf->path, ln->lineno, 1,
				  *ret ? "%s: given twice" : "%s: expected ARG...", ln->tok[0]);
	if (!(*ret = calloc(ln->ntok, sizeof(**ret))))
		return perr_set(err, -ENOMEM, "out of memory");
	for (size_t k = 1; k < ln->ntok; k++)
		(*ret)[k - 1] = ln->tok[k];
	return 0;
}

int sysimages_write(const struct listfile *lists, size_t n, sysimages_apply_fn apply, void *ctx,
		    long long mtime, const char *path, struct perr *err)
{
	struct layer *layers = calloc(n ? n : 1, sizeof(*layers));
	struct dsave_entry **ents = calloc(n ? n : 1, sizeof(*ents));
	struct dsave_image *imgs = calloc(n ? n : 1, sizeof(*imgs));
	char ***argvs = calloc(2 * (n ? n : 1), sizeof(*argvs));
	int r = 0;

	if (!layers || !ents || !imgs || !argvs) {
		r = perr_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct listfile *lf = &lists[i];
		const char *tag = NULL;
		for (size_t k = 0; r == 0 && k < lf->n; k++) {
			const struct listline *ln = &lf->lines[k];
			if (!strcmp(ln->tok[0], "image")) {
				if (ln->ntok != 2 || tag)
					r = perr_setat(err, -EINVAL, lf->path, ln->lineno, 1,
						       tag ? "image: given twice" : "image: expected TAG");
				tag = ln->tok[1];
				continue;
			}
			if (!strcmp(ln->tok[0], "entrypoint") || !strcmp(ln->tok[0], "cmd")) {
				r = argv_of(lf, ln, &argvs[2 * i + (ln->tok[0][0] == 'c')], err);
				continue;
			}
			r = apply(ctx, lf, ln, &layers[i], err);
		}
		if (r == 0 && !tag)
			r = perr_setat(err, -EINVAL, lf->path, 1, 1, "no 'image TAG' line");
		if (r == 0)
			r = layer_sort(&layers[i], err);
		if (r == 0)
			r = to_entries(&layers[i], lf->path, &ents[i], err);
		imgs[i] = (struct dsave_image){ .tag = tag, .entries = ents[i], .n = layers[i].n,
						.entrypoint = argvs[2 * i], .cmd = argvs[2 * i + 1] };
	}
	if (r == 0)
		r = dockersave_write(path, imgs, n, mtime, err);
out:
	for (size_t i = 0; i < n; i++) {
		if (layers)
			layer_free(&layers[i]);
		if (ents)
			free(ents[i]);
		if (argvs) {
			free(argvs[2 * i]);
			free(argvs[2 * i + 1]);
		}
	}
	free(layers);
	free(ents);
	free(imgs);
	free(argvs);
	return r;
}

int sysimages_bundle(const struct listfile *lists, size_t n, sysimages_apply_fn apply, void *ctx,
		     long long mtime, char **ret, size_t *ret_len, struct perr *err)
{
	char tmp[] = "/tmp/paddock-images-XXXXXX";
	int fd = mkstemp(tmp), r;

	if (fd < 0)
		return perr_set(err, -errno, "%s: %s", tmp, strerror(errno));
	close(fd);
	if ((r = sysimages_write(lists, n, apply, ctx, mtime, tmp, err)) == 0)
		r = read_file(tmp, 1u << 30, ret, ret_len, err);
	unlink(tmp);
	return r;
}
