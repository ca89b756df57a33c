#include "report_mac.h"

#include <errno.h>
#include <stdio.h>

#include <openssl/evp.h>

int report_mac_hex(const unsigned char *key, size_t keylen, const char *body, size_t len, char hex[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t n = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, (const unsigned char *)body, len, mac,
		       sizeof(mac), &n) || n != 32)
		return -EIO;
	for (size_t i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", mac[i]);
	return 0;
}
