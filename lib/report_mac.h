/* report_mac: the signature of a node's stage report, shared by the node's
 * sender (initrd/report_send.c) and paddock serve's check
 * (builder/serve/report.c): HMAC-SHA256 of the exact body under the node's
 * 32-byte key, in lower-case hex. */
#ifndef PADDOCK_REPORT_MAC_H
#define PADDOCK_REPORT_MAC_H

#include <stddef.h>

/* Writes the 64 hex digits and a NUL to hex; 0, or -EIO when OpenSSL fails. */
int report_mac_hex(const unsigned char *key, size_t keylen, const char *body, size_t len, char hex[65]);

#endif
