#include "serve/scripts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

char *script_boot(const char *base)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "#!ipxe\n"
		       "# paddock serve: every node has a script named after its MAC\n"
		       "chain %s${mac:hexhyp}.ipxe\n",
		  base);
	return sb_steal(&sb);
}

char *script_unknown(const char *mac)
{
	struct strbuf sb = STRBUF_INIT;
	sb_printf(&sb, "#!ipxe\n"
		       "echo paddock: unknown MAC %s: this machine is not a node of the cluster file; not booting.\n"
		       "echo paddock: add the MAC to its node in cluster.yml (paddock.mac), rebuild and serve again.\n"
		       /* an exit would fall through to the next boot device and loop back here */
		       ":stop\n"
		       "sleep 3600\n"
		       "goto stop\n",
		  mac);
	return sb_steal(&sb);
}

char *script_build_base(const char *boot_ipxe)
{
	const char *p = strstr(boot_ipxe, "\nchain ");
	const char *e = p ? strstr(p, "${net0/mac:hexhyp}.ipxe") : NULL;
	if (!e)
		return NULL;
	p += 7;
	return strndup(p, (size_t)(e - p));
}

char *script_node(const char *built, const char *build_base, const char *base, const char *report)
{
	/* relative names resolve against this script's URL, which is ours already */
	struct strbuf sb = STRBUF_INIT;
	size_t bl = strlen(build_base);
	for (const char *line = built; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		size_t start = sb.len;
		for (size_t i = 0; i < len;) {
			if (bl && len - i >= bl && !memcmp(line + i, build_base, bl)) {
				sb_adds(&sb, base);
				i += bl;
			} else {
				sb_add(&sb, line + i++, 1);
			}
		}
		if (!sb.err && sb.s && !strncmp(sb.s + start, "kernel ", 7)) {
			char *cut = strstr(sb.s + start, " || ");
			char *tail = strdup(cut ? cut : "");
			if (!tail) {
				sb_free(&sb);
				return NULL;
			}
			sb.len = cut ? (size_t)(cut - sb.s) : sb.len;
			sb.s[sb.len] = 0;
			sb_printf(&sb, " paddock.report=%s%s", report, tail);
			free(tail);
		}
		sb_adds(&sb, "\n");
		line += len + (nl ? 1 : 0);
	}
	return sb_steal(&sb);
}
