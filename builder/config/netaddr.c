#include "config/netaddr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool ip_parse(const char *s, struct ipaddr *out)
{
	memset(out, 0, sizeof(*out));
	if (strlen(s) >= INET6_ADDRSTRLEN)
		return false;
	if (inet_pton(AF_INET, s, out->b) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, out->b) == 1) {
		out->family = AF_INET6;
		return true;
	}
	return false;
}

bool cidr_parse(const char *s, struct ipaddr *addr, int *prefix)
{
	const char *slash = strchr(s, '/');
	if (!slash || slash == s || (size_t)(slash - s) >= INET6_ADDRSTRLEN)
		return false;
	char a[INET6_ADDRSTRLEN];
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	if (!ip_parse(a, addr))
		return false;
	const char *p = slash + 1;
	if (!*p || strlen(p) > 3)
		return false;
	int v = 0;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return false;
		v = v * 10 + (*p - '0');
	}
	if (v > (addr->family == AF_INET ? 32 : 128))
		return false;
	*prefix = v;
	return true;
}

bool ip_same_prefix(const struct ipaddr *a, const struct ipaddr *b, int prefix)
{
	if (a->family != b->family)
		return false;
	for (int i = 0; i < prefix; i++) {
		int bit = 7 - (i % 8);
		if (((a->b[i / 8] >> bit) & 1) != ((b->b[i / 8] >> bit) & 1))
			return false;
	}
	return true;
}

static unsigned long ip4_val(const struct ipaddr *a)
{
	return ((unsigned long)a->b[0] << 24) | ((unsigned long)a->b[1] << 16) |
	       ((unsigned long)a->b[2] << 8) | a->b[3];
}

bool ip4_is_net_or_bcast(const struct ipaddr *a, int prefix)
{
	if (a->family != AF_INET || prefix >= 31)
		return false;
	unsigned long host = ip4_val(a) & ((1UL << (32 - prefix)) - 1);
	return host == 0 || host == (1UL << (32 - prefix)) - 1;
}

bool cidr_nth(const char *cidr, unsigned n, char *buf, size_t len)
{
	struct ipaddr a;
	int prefix;
	if (!cidr_parse(cidr, &a, &prefix))
		return false;
	/* zero the host bits, then add n */
	for (int i = prefix; i < (a.family == AF_INET ? 32 : 128); i++)
		a.b[i / 8] &= (unsigned char)~(1u << (7 - i % 8));
	int last = a.family == AF_INET ? 3 : 15;
	unsigned carry = n;
	for (int i = last; i >= 0 && carry; i--) {
		unsigned v = a.b[i] + (carry & 0xff);
		a.b[i] = (unsigned char)v;
		carry = (carry >> 8) + (v >> 8);
	}
	return inet_ntop(a.family, a.b, buf, (socklen_t)len) != NULL;
}

bool mac_parse(const char *s, char out[18])
{
	if (strlen(s) != 17)
		return false;
	char sep = s[2];
	if (sep != ':' && sep != '-')
		return false;
	for (int i = 0; i < 17; i++) {
		if (i % 3 == 2) {
			if (s[i] != sep)
				return false;
			out[i] = ':';
		} else {
			if (!isxdigit((unsigned char)s[i]))
				return false;
			out[i] = (char)tolower((unsigned char)s[i]);
		}
	}
	out[17] = '\0';
	return true;
}

bool dns1123_subdomain(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 253)
		return false;
	bool start = true;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool an = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (ch == '.') {
			if (start || s[i - 1] == '-')
				return false;
			start = true;
			continue;
		}
		if (!an && ch != '-')
			return false;
		if (start && !an)
			return false;
		start = false;
	}
	return !start && s[n - 1] != '-';
}

/* The host[:port] of a URL, [IPv6] included; NULL when fine. */
static const char *authority_problem(const char *a, size_t n)
{
	const char *port = NULL, *end = a + n;
	if (!n)
		return "has no host name";
	if (*a == '[') {
		const char *close = memchr(a, ']', n);
		char ip[INET6_ADDRSTRLEN];
		struct ipaddr addr;
		size_t l = close ? (size_t)(close - a - 1) : 0;
		if (!close || l >= sizeof(ip))
			return "has a bad [IPv6] address";
		memcpy(ip, a + 1, l);
		ip[l] = 0;
		if (!ip_parse(ip, &addr) || addr.family != AF_INET6)
			return "has a bad [IPv6] address";
		if (close + 1 < end && close[1] != ':')
			return "has a bad [IPv6] address";
		port = close + 1 < end ? close + 1 : NULL;
	} else {
		const char *colon = memchr(a, ':', n);
		const char *hend = colon ? colon : end;
		if (hend == a)
			return "has no host name";
		for (const char *h = a; h < hend; h++)
			if (!isalnum((unsigned char)*h) && *h != '-' && *h != '.')
				return "has a bad host name (letters, digits, '-' and '.')";
		port = colon;
	}
	if (port) {
		unsigned long v = 0;
		const char *d = port + 1;
		for (; d < end && isdigit((unsigned char)*d) && v <= 65535; d++)
			v = v * 10 + (unsigned long)(*d - '0');
		if (d == port + 1 || d != end || v == 0 || v > 65535)
			return "has a bad port (1-65535)";
	}
	return NULL;
}

const char *http_base_problem(const char *s)
{
	const char *rest = !strncmp(s, "http://", 7) ? s + 7 : !strncmp(s, "https://", 8) ? s + 8 : NULL;
	if (!rest)
		return "is not an http:// or https:// URL";
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return "has a space or a control character (a URL writes a space as %20)";
	size_t alen = strcspn(rest, "/?#");
	if (memchr(rest, '@', alen))
		return "holds credentials (user:password@), which every iPXE script would show in plain "
		       "text: serve OUT/ipxe without them";
	if (strstr(s, "${"))
		return "holds '${', which iPXE would expand";
	if (strpbrk(s, "?#"))
		return "has a query or fragment ('?' or '#'): it is the base that file names are appended to";
	const char *why = authority_problem(rest, alen);
	if (why)
		return why;
	for (const char *p = rest + alen; *p; p++) {
		if (*p == '%') {
			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
				return "has a '%' not followed by two hex digits";
		} else if (!isalnum((unsigned char)*p) && !strchr("-._~!$&'()*+,;=:@/", *p)) {
			return "has a character a URL cannot hold (such as '\"', '<', '>', '\\', '^', '`', '{', '}' "
			       "or '|')";
		}
	}
	return NULL;
}

/* An upper-case word of a placeholder: YOUR-SERVER-IP, NODE1_IP, ADDRESS. */
static bool placeholder_word(const char *w, size_t n)
{
	static const char *const words[] = { "IP", "IPS", "IPV4", "ADDR", "ADDRESS", "YOUR", "CHANGEME",
					     "REPLACE", "HERE", "X", "XX", "XXX", NULL };
	for (size_t i = 0; words[i]; i++)
		if (strlen(words[i]) == n && !strncmp(words[i], w, n))
			return true;
	return false;
}

const char *node_address_problem(const char *s)
{
	static const char *const placeholder = "is a placeholder, not an address";
	struct ipaddr ip;
	size_t n = strlen(s);
	if (ip_parse(s, &ip))
		return NULL;
	if (strpbrk(s, "<>[]{}") || strpbrk(s, " \t"))
		return placeholder;
	bool lower = false, upper_word = false;
	for (const char *w = s; *w;) {
		size_t k = strcspn(w, "-_.");
		upper_word |= placeholder_word(w, k);
		w += k + (w[k] != '\0');
	}
	for (size_t i = 0; i < n; i++)
		lower |= islower((unsigned char)s[i]) != 0;
	if (upper_word && !lower)
		return placeholder;
	if (strchr(s, ':'))
		return "is neither an IP address nor a host name (a port goes in `port`)";
	if (n > 253 || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != n)
		return "is neither an IP address nor a host name";
	const char *last = strrchr(s, '.');
	last = last ? last + 1 : s;
	if (*last && strspn(last, "0123456789xX") == strlen(last))
		return "is not an IPv4 address (a host name cannot end in a number)";
	char low[256];
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	if (n && low[n - 1] == '.')
		low[n - 1] = '\0';    /* a fully qualified name */
	return dns1123_subdomain(low) ? NULL : "is neither an IP address nor a host name";
}

bool is_loopback(const char *s)
{
	struct ipaddr ip;
	if (!strcasecmp(s, "localhost"))
		return true;
	if (!ip_parse(s, &ip))
		return false;
	static const unsigned char v6[16] = { [15] = 1 };
	return ip.family == AF_INET ? ip.b[0] == 127 : !memcmp(ip.b, v6, 16);
}
