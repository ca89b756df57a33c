/* k8s_versions: lookups over the version table in use: the generated one
 * (k8s_table.c) or one read at run time (k8s_metadata.c). */
#include "config/k8s_versions.h"

#include <errno.h>
#include <string.h>

#include "config/k8s_table.h"

static const struct k8s_data *data = &k8s_embedded;

void k8s_data_use(const struct k8s_data *d)
{
	data = d ? d : &k8s_embedded;
}

static const char *str(uint32_t off)
{
	return data->pool + off;
}

/* Length of the "vX.Y" part of a version or image tag as RKE's
 * GetTagMajorVersion cuts it: up to the second '.', or all of it when there
 * is one '.'; 0 when there is none. */
static size_t minor_len(const char *v)
{
	const char *dot = strchr(v, '.');
	if (!dot)
		return 0;
	const char *second = strchr(dot + 1, '.');
	return second ? (size_t)(second - v) : strlen(v);
}

static bool same_minor(const char *a, const char *b)
{
	size_t n = minor_len(a);
	return n && n == minor_len(b) && !strncmp(a, b, n);
}

const char *k8s_default_version(void)
{
	return str(data->default_version);
}

const char *k8s_data_name(void)
{
	return data->name;
}

const char *k8s_data_file(void)
{
	return data->file;
}

const char *k8s_data_sha256(void)
{
	return data->sha256;
}

const char *k8s_rke_release(void)
{
	return k8s_rke_release_name;
}

const struct k8s_version *k8s_version_find(const char *version)
{
	if (!version)
		return NULL;
	for (size_t i = 0; i < data->nversions; i++)
		if (!strcmp(str(data->versions[i].name), version))
			return &data->versions[i];
	return NULL;
}

const char *k8s_version_name(const struct k8s_version *v)
{
	return str(v->name);
}

const char *k8s_version_last_rke(const struct k8s_version *v)
{
	return v->last_rke ? str(v->last_rke) : NULL;
}

const struct k8s_version *k8s_version_newest_of_minor(const char *version)
{
	const struct k8s_version *newest = NULL;
	if (!version)
		return NULL;
	/* the table is in version order: the last match is the newest */
	for (size_t i = 0; i < data->nversions; i++)
		if (same_minor(str(data->versions[i].name), version))
			newest = &data->versions[i];
	return newest;
}

static int image_column(const char *key)
{
	if (!key)
		return -1;
	for (size_t i = 0; i < data->nimage_keys; i++)
		if (!strcmp(str(data->image_keys[i]), key))
			return (int)i;
	return -1;
}

bool k8s_image_key_known(const char *key)
{
	return image_column(key) >= 0;
}

const char *k8s_image(const struct k8s_version *v, const char *key)
{
	int col = image_column(key);
	if (!v || col < 0 || v < data->versions || v >= data->versions + data->nversions)
		return NULL;
	uint32_t off = data->images[(size_t)(v - data->versions) * data->nimage_keys + (size_t)col];
	return off ? str(off) : NULL;
}

static const struct k8s_options *options_named(const char *key, size_t len)
{
	for (size_t i = 0; i < data->noptions; i++) {
		const char *k = str(data->options[i].key);
		if (strlen(k) == len && !strncmp(k, key, len))
			return &data->options[i];
	}
	return NULL;
}

/* The tag of an image reference: after the last ':' of the last path
 * component; "" for none (or a digest). */
static const char *image_tag(const char *image)
{
	const char *slash = strrchr(image, '/');
	const char *colon = strrchr(slash ? slash : image, ':');
	return colon && !strchr(colon, '@') ? colon + 1 : "";
}

const struct k8s_options *k8s_options_find(const char *version, const char *kubernetes_image)
{
	if (!version)
		return NULL;
	const struct k8s_options *o = options_named(version, strlen(version));
	if (o)
		return o;
	const char *minor = version;
	if (kubernetes_image) {
		const char *tag = image_tag(kubernetes_image);
		if (minor_len(tag))
			minor = tag;
	}
	size_t n = minor_len(minor);
	return n ? options_named(minor, n) : NULL;
}

const char *k8s_options_key(const struct k8s_options *o)
{
	return str(o->key);
}

size_t k8s_flag_count(const struct k8s_options *o, enum k8s_component c)
{
	if (!o || (unsigned)c >= K8S_NCOMPONENTS)
		return 0;
	return o->count[c];
}

int k8s_flag_at(const struct k8s_options *o, enum k8s_component c, size_t i,
		const char **ret_name, const char **ret_value)
{
	if (!o || (unsigned)c >= K8S_NCOMPONENTS)
		return -EINVAL;
	if (i >= o->count[c])
		return -ENOENT;
	const struct k8s_flag *f = &data->flags[o->first[c] + i];
	if (ret_name)
		*ret_name = str(f->name);
	if (ret_value)
		*ret_value = str(f->value);
	return 0;
}

const char *k8s_flag_get(const struct k8s_options *o, enum k8s_component c, const char *name)
{
	const char *n, *v;
	for (size_t i = 0; k8s_flag_at(o, c, i, &n, &v) == 0; i++)
		if (!strcmp(n, name))
			return v;
	return NULL;
}
