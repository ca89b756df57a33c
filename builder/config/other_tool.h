/* other_tool: recognises a file written for another tool (a Kubernetes
 * manifest, kind's or Cluster API's `kind: Cluster`, a cloud-config), which
 * fails as a cluster.yml for reasons that do not say what it is. */
#ifndef PADDOCK_OTHER_TOOL_H
#define PADDOCK_OTHER_TOOL_H

#include <stddef.h>

#include "config/diag.h"

/* After an error in buf: a note naming the tool, when the first document's
 * top-level lines look like another tool's file. */
void other_tool_hint(const char *file, const char *buf, size_t len, struct diag_list *diags);

#endif
