/* report_queue: the boot stages a node reports to the `paddock serve` it
 * booted from (paddock.report=URL on the kernel command line).
 *
 * init, the provisioner and paddock-services each know some of the
 * stages; each appends one line per stage to REPORT_QUEUE, with one
 * write(2) (O_APPEND), as it prints the stage's console line:
 *
 *   t=MILLISECONDS stage=STAGE[ detail=PERCENT-ENCODED]\n
 *
 * paddock-report (report_send.h) reads the lines in order and POSTs each.
 * init makes the file only when the command line asks for reports: with
 * no file an append does nothing.  libc alone: PID 1 links this. */
#ifndef PADDOCK_INIT_REPORT_QUEUE_H
#define PADDOCK_INIT_REPORT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define REPORT_QUEUE "/run/paddock/report.queue"
/* a detail longer than this is cut (before it is encoded) */
#define REPORT_DETAIL_MAX 400
/* a line longer than this is not one of ours */
#define REPORT_LINE_MAX 2048

/* Whether stage is one the protocol knows (init, network, state-disk,
 * system-docker, etcd-member, etcd-healthy, role-containers, failed). */
bool report_stage_known(const char *stage);
/* The reported stage for a console stage that went well (console.h's
 * names: "etcd" is "etcd-healthy", "containers" "role-containers"), or
 * NULL for a stage that is not reported. */
const char *report_stage_of(const char *console_stage);

/* s percent-encoded: A-Z a-z 0-9 - . _ ~ as they are, every other byte
 * %XX (upper case); at most max bytes of s.  NULL when out of memory. */
char *report_pct_encode(const char *s, size_t max);

/* Makes an empty queue at path (0600); reports are on from now. */
int report_queue_create(const char *path);
/* Appends a stage at t seconds of CLOCK_BOOTTIME, with detail (NULL:
 * none).  -ENOENT when there is no queue (reports are off); -EINVAL for a
 * stage the protocol does not know. */
int report_queue_append(const char *path, double t, const char *stage, const char *detail);
/* Appends what a console stage line says: its reported stage when ok, or
 * "failed" with detail "STAGE: WHY".  Quiet: a node without reports, or
 * a queue that cannot be written, changes nothing on the console. */
void report_console_stage(const char *stage, bool ok, const char *why, double t);

/* Whether line (without its newline) is a well-formed queue line. */
bool report_line_valid(const char *line, size_t len);

/* The complete lines of the queue from *offset on: each given to fn with
 * its newline, in order, *offset moved past it; a line without its
 * newline yet is left for the next call, a malformed one skipped (and
 * counted in *skipped).  fn returns false to stop before that line (it is
 * read again next time).  Returns the number given, or -errno. */
int report_queue_read(int fd, off_t *offset, bool (*fn)(void *ctx, const char *line, size_t len), void *ctx,
		      size_t *skipped);

#endif
