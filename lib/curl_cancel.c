#include "curl_cancel.h"

/* libcurl calls this about once a second and on every chunk */
static int on_progress(void *ud, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	const volatile sig_atomic_t *flag = ud;

	(void)dlt, (void)dln, (void)ult, (void)uln;
	return *flag != 0;
}

void curl_cancel_on(CURL *k, const volatile sig_atomic_t *flag)
{
	if (!flag)
		return;
	curl_easy_setopt(k, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(k, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(k, CURLOPT_XFERINFODATA, (void *)flag);
}
