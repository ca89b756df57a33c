/* cmdline: the kernel command line each node boots with. */
#include <stdio.h>
#include <stdlib.h>

#include "plan/cmdline.h"

char *cmdline_format(const char *console, const char *node_name, const char *kernel_args)
{
	char *s = NULL;
	if (!console || !*console)
		console = "ttyS0";
	if (!node_name)
		return NULL;
	int n;
	if (kernel_args && *kernel_args)
		n = asprintf(&s, "console=tty0 console=%s,115200 paddock.node=%s %s", console,
			     node_name, kernel_args);
	else
		n = asprintf(&s, "console=tty0 console=%s,115200 paddock.node=%s", console,
			     node_name);
	return n < 0 ? NULL : s;
}

char *cmdline_for_node(const struct plan *p, size_t i)
{
	if (!p || i >= plan_node_count(p))
		return NULL;
	const struct plan_build_opts *o = plan_build_options(p);
	const struct plan_node *n = plan_node_at(p, i);
	return cmdline_format(o ? o->console : NULL, n->name, n->kernel_args);
}
