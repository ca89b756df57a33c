/* cmdline: the kernel command line each node boots with. */
#include <stdbool.h>
#include <string.h>

#include "plan/cmdline.h"
#include "strbuf.h"

/* Whether the argument list args has one named key ("console="). */
static bool sets(const char *args, const char *key)
{
	size_t n = strlen(key);
	for (const char *w = args; *w; w += strcspn(w, " ")) {
		w += strspn(w, " ");
		if (!strncmp(w, key, n))
			return true;
	}
	return false;
}

char *cmdline_format(const char *console, const char *node_name, const char *kernel_args)
{
	const char *args = kernel_args ? kernel_args : "";
	struct strbuf sb = STRBUF_INIT;
	if (!console || !*console)
		console = "ttyS0";
	if (!node_name)
		return NULL;
	/* the last console= gets /dev/console: the serial line */
	if (!sets(args, "console="))
		sb_printf(&sb, "console=tty0 console=%s%s ", console, strchr(console, ',') ? "" : ",115200");
	sb_printf(&sb, "paddock.node=%s", node_name);
	if (!sets(args, "panic="))
		sb_printf(&sb, " panic=%d", CMDLINE_PANIC_SECONDS);
	if (*args)
		sb_printf(&sb, " %s", args);
	if (sb.err) {
		sb_free(&sb);
		return NULL;
	}
	return sb_steal(&sb);
}

char *cmdline_for_node(const struct plan *p, size_t i)
{
	if (!p || i >= plan_node_count(p))
		return NULL;
	const struct plan_build_opts *o = plan_build_options(p);
	const struct plan_node *n = plan_node_at(p, i);
	return cmdline_format(o ? o->console : NULL, n->name, n->kernel_args);
}
