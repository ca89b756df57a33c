/* log_demux: Docker's log stream demultiplexed as it arrives.
 *
 * Without a TTY, GET /containers/ID/logs frames its output: 1 byte stream
 * (0-2), 3 zero bytes, 4 bytes big-endian length, then the payload.  A
 * stream that does not start with that shape (a TTY's) is raw text, passed
 * on as it is.  The demuxer holds at most one frame header, never the log. */
#ifndef PADDOCK_LOG_DEMUX_H
#define PADDOCK_LOG_DEMUX_H

#include <stdbool.h>
#include <stddef.h>

/* Receives each piece of payload; a negative return stops the stream. */
typedef int (*log_sink)(void *arg, const char *data, size_t len);

struct log_demux {
	unsigned char hdr[8];
	size_t hlen;            /* header bytes held */
	size_t left;            /* payload bytes left in the current frame */
	bool raw;               /* not framed: everything is payload */
};

#define LOG_DEMUX_INIT { { 0 }, 0, 0, false }

/* Feeds len bytes; returns 0 or the sink's negative return. */
int log_demux_feed(struct log_demux *m, const char *data, size_t len, log_sink sink, void *arg);
/* The end of the stream: a partial header is passed on as text. */
int log_demux_end(struct log_demux *m, log_sink sink, void *arg);

#endif
