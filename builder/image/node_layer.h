/* node_layer: the per-node initramfs layer, booted after the base: the
 * node's /etc/paddock/node.conf and its extra files (struct build_node,
 * build/build.h). */
#ifndef PADDOCK_NODE_LAYER_H
#define PADDOCK_NODE_LAYER_H

#include "image/layer.h"
#include "perr.h"

struct build_node;

/* Fills l with the node layer of n: its config and extra files (sorted). */
int node_layer(const struct build_node *n, struct layer *l, struct perr *err);

#endif
