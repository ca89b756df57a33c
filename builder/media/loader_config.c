#include "media/loader_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int media_serial_port(const struct media_input *in, unsigned *ret_speed)
{
	const char *c = in->console ? in->console : "ttyS0";
	if (strncmp(c, "ttyS", 4) || !isdigit((unsigned char)c[4]))
		return -1;
	char *end;
	long port = strtol(c + 4, &end, 10);
	unsigned long speed = 115200;
	if (*end == ',') {
		speed = strtoul(end + 1, &end, 10);
		/* "ttyS0,115200n8": parity and bits are not the loaders' business */
		if (speed == 0 || speed > 4000000)
			return -1;
	}
	if (port > 3)
		return -1;
	if (ret_speed)
		*ret_speed = (unsigned)speed;
	return (int)port;
}

char *media_kernel_args(const struct media_input *in, const struct media_node *n)
{
	const char *cmd = n->cmdline ? n->cmdline : "";
	char *s = NULL;
	int r;
	if (!strncmp(cmd, "console=", 8) || strstr(cmd, " console="))
		r = asprintf(&s, "%s", cmd);
	else {
		const char *c = in->console ? in->console : "ttyS0";
		unsigned speed = 115200;
		int port = media_serial_port(in, &speed);
		/* the last console= gets /dev/console: the serial line the tests and racks read */
		if (port >= 0 && !strchr(c, ','))
			r = asprintf(&s, "console=tty0 console=%s,%u%s%s", c, speed, *cmd ? " " : "", cmd);
		else
			r = asprintf(&s, "console=tty0 console=%s%s%s", c, *cmd ? " " : "", cmd);
	}
	return r < 0 ? NULL : s;
}

char *media_kernel_file(const struct media_input *in, size_t i)
{
	char *s = NULL;
	if (!strcmp(in->nodes[i].kernel, in->nodes[0].kernel))
		return strdup("vmlinuz");
	if (asprintf(&s, "nodes/%s.vmlinuz", in->nodes[i].name) < 0)
		return NULL;
	return s;
}

int media_text_begin(struct media_text *t, const struct media_input *in, size_t i)
{
	memset(t, 0, sizeof *t);
	t->speed = 115200;
	t->port = media_serial_port(in, &t->speed);
	t->node = i == MEDIA_NO_NODE ? NULL : &in->nodes[i];
	if (t->node && (!(t->args = media_kernel_args(in, &in->nodes[i])) ||
				   !(t->kernel = media_kernel_file(in, i))))
		goto fail;
	if (!(t->f = open_memstream(&t->buf, &t->len)))
		goto fail;
	return 0;
fail:
	free(t->args);
	free(t->kernel);
	return -ENOMEM;
}

void media_text_syslinux_serial(const struct media_text *t)
{
	if (t->port >= 0)
		fprintf(t->f, "SERIAL %d %u\n", t->port, t->speed);
}

char *media_text_end(struct media_text *t)
{
	free(t->args);
	free(t->kernel);
	t->args = t->kernel = NULL;
	/* open_memstream() sets buf at fclose(), so it is read only after */
	if (fclose(t->f) != 0) {
		free(t->buf);
		return NULL;
	}
	return t->buf;
}
