/* The ACPI power button shows up as an input device named "Power Button". */
#include "powerbutton.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t power_buttons_open(int *fds, size_t max)
{
	DIR *d = opendir("/sys/class/input");
	struct dirent *de;
	size_t n = 0;

	while (d && (de = readdir(d)) && n < max) {
		char *path = NULL, name[128] = "";
		FILE *f;
		if (strncmp(de->d_name, "event", 5))
			continue;
		if (asprintf(&path, "/sys/class/input/%s/device/name", de->d_name) < 0)
			continue;
		f = fopen(path, "re");
		free(path);
		if (!f)
			continue;
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
		if (!strstr(name, "Power Button"))
			continue;
		if (asprintf(&path, "/dev/input/%s", de->d_name) < 0)
			continue;
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		free(path);
		if (fd >= 0)
			fds[n++] = fd;
	}
	if (d)
		closedir(d);
	return n;
}

bool power_button_pressed(int fd)
{
	struct input_event ev[16];
	ssize_t n = read(fd, ev, sizeof(ev));
	bool pressed = false;

	for (ssize_t i = 0; n > 0 && i < n / (ssize_t)sizeof(ev[0]); i++)
		if (ev[i].type == EV_KEY && ev[i].code == KEY_POWER && ev[i].value == 1)
			pressed = true;
	return pressed;
}
