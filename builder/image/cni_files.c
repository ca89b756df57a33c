#include "image/cni_files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/pod_cidr.h"
#include "strbuf.h"

char *cni_conflist(const char *subnet)
{
	char gw[POD_CIDR_LEN];
	if (pod_cidr_gateway(subnet, gw) < 0)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "{\n  \"cniVersion\": \"0.4.0\",\n  \"name\": \"paddock-bridge\",\n  \"plugins\": [\n"
		     "    {\n      \"type\": \"bridge\",\n      \"bridge\": \"cni0\",\n"
		     "      \"isGateway\": true,\n      \"ipMasq\": false,\n      \"hairpinMode\": true,\n"
		     "      \"ipam\": {\n        \"type\": \"host-local\",\n"
		     "        \"ranges\": [[{ \"subnet\": ");
	sb_json_str(&sb, subnet);
	sb_adds(&sb, ", \"gateway\": ");
	sb_json_str(&sb, gw);
	sb_adds(&sb, " }]],\n        \"routes\": [{ \"dst\": \"0.0.0.0/0\" }]\n      }\n    },\n"
		     "    {\n      \"type\": \"portmap\",\n      \"capabilities\": { \"portMappings\": true }\n"
		     "    }\n  ]\n}\n");
	return sb.err ? (sb_free(&sb), NULL) : sb_steal(&sb);
}

int cni_node_files(const struct plan *p, size_t i, struct appl_files *out, struct perr *err)
{
	const struct plan_node *n = plan_node_at(p, i);
	if (!n || !n->pod_cidr)
		return 0;
	char *conf = cni_conflist(n->pod_cidr);
	if (!conf)
		return perr_set(err, -ENOMEM, "node %s: cannot write its CNI configuration", n->name);
	if (appl_files_add(out, PLAN_CNI_CONFLIST, conf, strlen(conf), 0644, 0, 0) < 0) {
		free(conf);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}
