/* config_load: a cluster.yml through every stage of the front end: bounded
 * read, YAML tree, schema check, model, validation (config.h). */
#include "config/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_schema.h"
#include "config/other_tool.h"

/* Through every stage but the hint. */
static int load(const char *name, const char *buf, size_t len, struct cluster **out,
		struct diag_list *diags, struct perr *err)
{
	struct ynode *root = NULL;
	int r;
	*out = NULL;
	if (len == 0)
		return perr_setat(err, -EINVAL, name, 1, 1,
				  "the file is empty: a cluster.yml needs at least `nodes:`");
	r = ytree_parse(name, buf, len, &root, diags, err);
	if (r < 0)
		return r;
	if (!root || ynode_is_null(root)) {
		ynode_unref(root);
		return perr_setat(err, -EINVAL, name, 1, 1,
				  "the file has no content (only comments or blank lines): "
				  "a cluster.yml needs at least `nodes:`");
	}
	r = config_check_schema(root, name, diags, err);
	if (r < 0) {
		ynode_unref(root);
		return r;
	}
	struct cluster *c = calloc(1, sizeof(*c));
	if (!c || !(c->file = strdup(name))) {
		free(c);
		ynode_unref(root);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	c->root = root;
	r = config_read(c, diags, err);
	if (r == 0)
		r = config_validate(c, diags, err);
	if (r < 0) {
		config_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int config_load_buffer(const char *name, const char *buf, size_t len, struct cluster **out,
		       struct diag_list *diags, struct perr *err)
{
	int r = load(name, buf, len, out, diags, err);
	if (r < 0 && r != -ENOMEM)
		other_tool_hint(name, buf, len, diags);
	diag_sort(diags);
	return r;
}

int config_load(const char *path, struct cluster **out, struct diag_list *diags, struct perr *err)
{
	char *buf = NULL;
	size_t len = 0;
	int r = ytree_read_file(path, &buf, &len, err);
	if (r < 0)
		return r;
	r = config_load_buffer(path, buf, len, out, diags, err);
	free(buf);
	return r;
}
