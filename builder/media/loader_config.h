/* loader_config: what every boot loader's config is written from — the
 * kernel arguments, the serial console, the kernel's file name in the
 * network trees — and the config text being written. */
#ifndef PADDOCK_LOADER_CONFIG_H
#define PADDOCK_LOADER_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "media/media.h"

/* The kernel arguments used on every medium: "console=tty0
 * console=<console>,<speed> " before cmdline unless cmdline already has a
 * console=.  Heap string or NULL. */
char *media_kernel_args(const struct media_input *in, const struct media_node *n);

/* Serial port number and speed of in->console ("ttyS1,9600" -> 1, 9600).
 * Returns -1 when the console is not a serial port. */
int media_serial_port(const struct media_input *in, unsigned *ret_speed);

/* Name of node i's kernel in the TFTP and HTTP trees: "vmlinuz" when it is
 * node 0's file, else "nodes/<name>.vmlinuz".  Heap string or NULL. */
char *media_kernel_file(const struct media_input *in, size_t i);

/* A config text being written for one node (or for none). */
struct media_text {
	FILE *f;          /* the text goes here */
	const struct media_node *node;  /* NULL for no node */
	char *args;       /* the node's media_kernel_args(); NULL for no node */
	char *kernel;     /* the node's media_kernel_file(); NULL for no node */
	int port;         /* media_serial_port(), -1 when the console is not serial */
	unsigned speed;
	char *buf;        /* open_memstream()'s, valid after media_text_end() */
	size_t len;
};

#define MEDIA_NO_NODE ((size_t)-1)

/* Starts a text for node i, or for no node (MEDIA_NO_NODE).  0, or -ENOMEM
 * with nothing left allocated. */
int media_text_begin(struct media_text *t, const struct media_input *in, size_t i);

/* "SERIAL <port> <speed>" for isolinux and pxelinux, when the console is
 * a serial port. */
void media_text_syslinux_serial(const struct media_text *t);

/* Ends it: the text (heap), or NULL when it could not be written; frees
 * everything else of t. */
char *media_text_end(struct media_text *t);

#endif
