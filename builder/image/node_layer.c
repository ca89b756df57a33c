/* node_layer: the per-node layer. */
#include <errno.h>
#include <stdlib.h>

#include "image/node_layer.h"
#include "build/build.h"

int node_layer(const struct build_node *n, struct layer *l, struct perr *err)
{
	size_t len;
	char *conf = nodecfg_serialize(n->cfg, &len);
	int r;
	if (!conf)
		return perr_set(err, -ENOMEM, "out of memory");
	/* the same directory entries as the base, so unpacking keeps their modes */
	r = layer_add_dir(l, "/etc", 0755, 0, 0, err);
	if (r >= 0)
		r = layer_add_dir(l, "/etc/paddock", 0755, 0, 0, err);
	if (r >= 0)
		r = layer_add_blob(l, NODECFG_PATH, conf, len, 0644, 0, 0, "node", err);
	free(conf);
	for (size_t i = 0; r >= 0 && i < n->nfiles; i++)
		r = layer_add_blob(l, n->files[i].path, n->files[i].data, n->files[i].len,
				   n->files[i].mode, n->files[i].uid, n->files[i].gid, "node", err);
	if (r >= 0)
		r = layer_sort(l, err);
	return r < 0 ? perr_wrap(err, "node %s", n->name) : 0;
}
