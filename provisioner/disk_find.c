#include "disk_find.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk_probe.h"

static int wanted(const struct dirent *e)
{
	return e->d_name[0] != '.' && strncmp(e->d_name, "ram", 3) && strncmp(e->d_name, "loop", 4);
}

char *disk_find_label(const char *sysdir, const char *devdir, const char *label)
{
	struct dirent **names = NULL;
	char *found = NULL;
	int n = scandir(sysdir, &names, wanted, alphasort);

	for (int i = 0; i < n; i++) {
		char *dev = NULL, got[17];
		int fd = -1;
		if (!found && asprintf(&dev, "%s/%s", devdir, names[i]->d_name) >= 0 &&
		    (fd = open(dev, O_RDONLY | O_CLOEXEC)) >= 0 && ext_label_at(fd, 0, got) == 0 &&
		    !strcmp(got, label)) {
			found = dev;
			dev = NULL;
		}
		if (fd >= 0)
			close(fd);
		free(dev);
		free(names[i]);
	}
	free(names);
	return found;
}

bool disk_is_partition(const char *sysdir, const char *dev)
{
	const char *name = strrchr(dev, '/');
	char *p = NULL;
	struct stat st;
	bool yes;

	if (asprintf(&p, "%s/%s/partition", sysdir, name ? name + 1 : dev) < 0)
		return false;
	yes = stat(p, &st) == 0;
	free(p);
	return yes;
}
