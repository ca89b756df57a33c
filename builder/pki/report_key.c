#include "pki/report_key.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "pki/keys.h"

#define KEY_BYTES 32

/* Whether text is what this module stores: 64 lower-case hex digits, a newline. */
static bool well_formed(const char *text)
{
	return strlen(text) == 2 * KEY_BYTES + 1 && strspn(text, "0123456789abcdef") == 2 * KEY_BYTES &&
	       text[2 * KEY_BYTES] == '\n';
}

int pki_node_report_key(struct pki_state *st, const char *node, const char **ret, struct perr *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[KEY_BYTES];
	char text[2 * KEY_BYTES + 2];
	const char *have = pki_node_get(st, node, PKI_SLOT_REPORT_KEY);
	int r;

	if (have && well_formed(have)) {
		*ret = have;
		return 0;
	}
	if (have)
		return perr_set(err, -EINVAL, "node %s: %s in %s is not 64 hex digits", node, PKI_SLOT_REPORT_KEY,
				pki_state_path(st));
	if (RAND_priv_bytes(raw, sizeof(raw)) != 1)
		return pki_ossl_fail(err, "no random bytes");
	for (size_t i = 0; i < KEY_BYTES; i++) {
		text[2 * i] = hex[raw[i] >> 4];
		text[2 * i + 1] = hex[raw[i] & 15];
	}
	text[2 * KEY_BYTES] = '\n';
	text[2 * KEY_BYTES + 1] = '\0';
	r = pki_node_put(st, node, PKI_SLOT_REPORT_KEY, text, err);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(text, sizeof(text));
	if (r < 0)
		return r;
	*ret = pki_node_get(st, node, PKI_SLOT_REPORT_KEY);
	return *ret ? 0 : perr_set(err, -ENOMEM, "out of memory");
}

int report_key_node_file(struct pki_state *st, const struct plan *p, size_t i, struct appl_files *out,
			 struct perr *err)
{
	const char *node = plan_node_at(p, i)->name, *text;
	char *data;
	int r = pki_node_report_key(st, node, &text, err);

	if (r < 0)
		return r;
	if (!(data = strdup(text)))
		return perr_set(err, -ENOMEM, "out of memory");
	if (appl_files_add(out, REPORT_KEY_FILE, data, strlen(data), REPORT_KEY_MODE, 0, 0) < 0) {
		pki_secret_free(data);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}
