/* status: the stage and service records of a status answer (control.h),
 * from this process's stage record (console.h) and supervisor
 * (supervise.h).  init and paddock-services each answer their own. */
#ifndef PADDOCK_INIT_STATUS_H
#define PADDOCK_INIT_STATUS_H

#include <stddef.h>

/* A new heap string of *ret_len bytes; NULL when out of memory. */
char *status_text(size_t *ret_len);

#endif
