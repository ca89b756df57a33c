/* kubeconfig: the kubeconfig files RKE writes (pki/kubeconfig.go), with
 * its layout and names, so tools that read RKE's find what they expect.
 * Quoted values are escaped (RKE does not), and each file ends in a
 * newline. */
#ifndef PADDOCK_PKI_KUBECONFIG_H
#define PADDOCK_PKI_KUBECONFIG_H

/* A node component's: server https://127.0.0.1:6443 (the local API server,
 * or nginx-proxy on a node without the control plane), cluster "local",
 * the certificate and key of stem under /etc/kubernetes/ssl/.  NULL when
 * out of memory. */
char *kubeconfig_component(const char *stem);

/* The admin's, everything inline (PEM texts, base64'ed as RKE does):
 * cluster and context named after the cluster, user kube-admin-<cluster>. */
char *kubeconfig_admin(const char *server, const char *cluster, const char *ca_pem, const char *crt_pem,
		       const char *key_pem);

#endif
