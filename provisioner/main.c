/* paddock-provisioner: the node's state disk, then its etcd.
 *
 *   paddock-provisioner state-disk   once, before System Docker (state_disk.h)
 *   paddock-provisioner              supervised after it (provisioner.h)
 *
 * init runs both; neither is meant to be typed. */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "nodecfg.h"
#include "provisioner.h"
#include "state_disk.h"

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "state-disk")) {
		struct nodecfg cfg = { 0 };
		struct perr err = PERR_INIT;
		int code;
		if (nodecfg_load(NODECFG_PATH, &cfg, &err) < 0) {
			console_line("state disk: %s; looking for a file system labelled PADDOCK_STATE", err.msg);
			perr_clear(&err);
		}
		code = state_disk_run(&cfg);
		nodecfg_free(&cfg);
		return code;
	}
	if (argc == 1)
		return provisioner_run();
	fprintf(stderr, "usage: paddock-provisioner [state-disk]\n");
	return 2;
}
