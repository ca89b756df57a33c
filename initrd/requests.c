#include "requests.h"

#include <stdlib.h>
#include <sys/reboot.h>

#include "status.h"

void requests_answer(void *arg, struct control_client *c, enum control_req req, const char *name,
		     unsigned lines)
{
	struct init *in = arg;

	(void)name;
	(void)lines;
	if (req == CONTROL_STATUS) {
		size_t len = 0;
		char *text = status_text(&len);
		control_answer(c, text ? text : "", text ? len : 0);
		free(text);
	} else if (req == CONTROL_POWEROFF || req == CONTROL_REBOOT) {
		control_answer(c, "ok\n", 3);
		in->shutdown = req == CONTROL_POWEROFF ? RB_POWER_OFF : RB_AUTOBOOT;
	}
}
