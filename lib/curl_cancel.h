/* curl_cancel: lets a signal handler's flag end a libcurl exchange at once.
 *
 * A program that is asked to stop (SIGTERM at power-off) should not sit in
 * a request with a minute's timeout.  With a flag set here, libcurl ends
 * the exchange with CURLE_ABORTED_BY_CALLBACK within about a second of the
 * flag being set. */
#ifndef PADDOCK_CURL_CANCEL_H
#define PADDOCK_CURL_CANCEL_H

#include <signal.h>

#include <curl/curl.h>

/* Arms the handle (after curl_easy_reset) to stop once *flag is nonzero;
 * flag NULL leaves it as it is. */
void curl_cancel_on(CURL *k, const volatile sig_atomic_t *flag);

#endif
