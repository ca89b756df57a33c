/* kubeconfig: RKE's kubeconfig layout. */
#include "pki/kubeconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "pki/keys.h"
#include "pki/pki.h"
#include "strbuf.h"

#define SSL_DIR "/etc/kubernetes/ssl/"

/* A quoted YAML value: a JSON string is a valid double-quoted scalar. */
static void quoted(struct strbuf *sb, const char *before, const char *v)
{
	sb_adds(sb, before);
	sb_json_str(sb, v);
}

/* All but the lines naming the certificates (paths, or inline data). */
static void layout(struct strbuf *sb, const char *server, const char *cluster, const char *component,
		   const char *ca_line)
{
	char *user = NULL;
	if (asprintf(&user, "%s-%s", component, cluster) < 0) {
		sb->err = -1;
		return;
	}
	sb_adds(sb, "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    api-version: v1\n");
	sb_adds(sb, ca_line);
	quoted(sb, "    server: ", server);
	quoted(sb, "\n  name: ", cluster);
	quoted(sb, "\ncontexts:\n- context:\n    cluster: ", cluster);
	quoted(sb, "\n    user: ", user);
	quoted(sb, "\n  name: ", cluster);
	quoted(sb, "\ncurrent-context: ", cluster);
	quoted(sb, "\nusers:\n- name: ", user);
	sb_adds(sb, "\n  user:\n");
	free(user);
}

char *kubeconfig_component(const char *stem)
{
	struct strbuf sb = STRBUF_INIT;
	layout(&sb, "https://127.0.0.1:6443", "local", stem, "    certificate-authority: " SSL_DIR PKI_CA ".pem\n");
	sb_printf(&sb, "    client-certificate: " SSL_DIR "%s.pem\n    client-key: " SSL_DIR "%s-key.pem\n", stem,
		  stem);
	return sb_steal(&sb);
}

char *kubeconfig_admin(const char *server, const char *cluster, const char *ca_pem, const char *crt_pem,
		       const char *key_pem)
{
	struct strbuf sb = STRBUF_INIT;
	char *ca = pki_base64(ca_pem, strlen(ca_pem)), *crt = pki_base64(crt_pem, strlen(crt_pem));
	char *key = pki_base64(key_pem, strlen(key_pem)), *line = NULL;
	if (ca && crt && key && asprintf(&line, "    certificate-authority-data: %s\n", ca) >= 0) {
		layout(&sb, server, cluster, PKI_ADMIN, line);
		sb_printf(&sb, "    client-certificate-data: %s\n    client-key-data: %s\n", crt, key);
	} else {
		sb.err = -1;
	}
	free(line);
	free(ca);
	free(crt);
	pki_secret_free(key);
	if (sb.err && sb.s)
		OPENSSL_cleanse(sb.s, sb.len);
	return sb_steal(&sb);
}
