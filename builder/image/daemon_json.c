#include "image/daemon_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

int daemon_json_system(const struct daemon_opts *o, char **ret, struct perr *err)
{
	struct strbuf sb = STRBUF_INIT;

	sb_adds(&sb, "{\n  \"hosts\": [\"unix:///var/run/system-docker.sock\"],\n"
		     "  \"data-root\": \"/var/lib/system-docker\",\n"
		     "  \"exec-root\": \"/var/run/system-docker\",\n"
		     "  \"pidfile\": \"/var/run/system-docker.pid\",\n"
		     "  \"storage-driver\": ");
	sb_json_str(&sb, o && o->storage_driver ? o->storage_driver : "overlay2");
	sb_adds(&sb, ",\n  \"bridge\": \"none\",\n  \"iptables\": false,\n  \"ip-masq\": false,\n"
		     "  \"live-restore\": false,\n  \"log-driver\": \"json-file\",\n"
		     "  \"log-opts\": {\"max-size\": ");
	sb_json_str(&sb, o && o->log_max_size ? o->log_max_size : "10m");
	sb_printf(&sb, ", \"max-file\": \"%d\"},\n  \"registry-mirrors\": [",
		  o && o->log_max_file > 0 ? o->log_max_file : 3);
	for (size_t i = 0; o && o->registry_mirrors && o->registry_mirrors[i]; i++) {
		const char *m = o->registry_mirrors[i];
		if (strncmp(m, "http://", 7) && strncmp(m, "https://", 8)) {
			sb_free(&sb);
			return perr_set(err, -EINVAL, "registry mirror '%s': expected an http:// or https:// URL", m);
		}
		if (i)
			sb_adds(&sb, ", ");
		sb_json_str(&sb, m);
	}
	sb_adds(&sb, "]\n}\n");
	if (sb.err) {
		sb_free(&sb);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	*ret = sb_steal(&sb);
	return 0;
}
