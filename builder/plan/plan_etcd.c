/* plan_etcd: what an etcd node runs (etcd, its rolling snapshots) and its
 * certificate, as RKE's cluster/plan.go builds them, except that etcd runs
 * as uid:gid where RKE formats uid:uid. */
#include <stdio.h>
#include <stdlib.h>

#include "plan/plan_model.h"

#define TLS_CIPHERS \
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256," \
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384," \
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"

static void plan_snapshots(struct plan *p, struct pnode *pn, const struct cfg_node *n, const char *stem)
{
	const struct cluster *c = p->c;
	const struct cfg_etcd *e = &c->services.etcd;
	struct ct_draft d = { .user = p->etcd_user };
	strv_add(&d.args, "/opt/rke-tools/rke-etcd-backup");
	strv_add(&d.args, "etcd-backup");
	strv_add(&d.args, "save");
	strv_add(&d.args, "--cacert=" SSL_DIR "/kube-ca.pem");
	strv_addf(&d.args, "--cert=" SSL_DIR "/%s.pem", stem);
	strv_addf(&d.args, "--key=" SSL_DIR "/%s-key.pem", stem);
	strv_add(&d.args, "--name=etcd-rolling-snapshots");
	strv_addf(&d.args, "--endpoints=%s:2379", n->internal_address);
	if (e->backup.present) {
		long long iv = e->backup.interval_hours;
		strv_addf(&d.args, "--retention=%lldh", e->backup.retention * iv);
		strv_addf(&d.args, "--creation=%lldh", iv);
	} else {
		strv_addf(&d.args, "--retention=%s", e->retention);
		strv_addf(&d.args, "--creation=%s", e->creation);
	}
	if (e->backup.s3.present) {
		strv_add(&d.args, "--s3-backup=true");
		strv_addf(&d.args, "--s3-endpoint=%s", e->backup.s3.endpoint);
		strv_addf(&d.args, "--s3-bucketName=%s", e->backup.s3.bucket_name);
		if (e->backup.s3.region && *e->backup.s3.region)
			strv_addf(&d.args, "--s3-region=%s", e->backup.s3.region);
		if (e->backup.s3.folder && *e->backup.s3.folder)
			strv_addf(&d.args, "--s3-folder=%s", e->backup.s3.folder);
	}
	strv_addf(&d.binds, "%s/opt/rke/etcd-snapshots:/backup:z", plan_prefix(c));
	strv_addf(&d.binds, ETC_KUBERNETES_BIND, plan_prefix(c));
	pn_container(p, pn, "etcd-rolling-snapshots", "alpine", NULL, &d);
}

/* the flags RKE gives etcd whatever the cluster, before its defaults */
static const struct flag etcd_flags[] = {
	{ "data-dir", "/var/lib/rancher/etcd/" },
	{ "listen-client-urls", "https://0.0.0.0:2379" },
	{ "listen-peer-urls", "https://0.0.0.0:2380" },
	{ "initial-cluster-token", "etcd-cluster-1" },
	{ "initial-cluster-state", "new" },
	{ "trusted-ca-file", SSL_DIR "/kube-ca.pem" },
	{ "peer-trusted-ca-file", SSL_DIR "/kube-ca.pem" },
	{ "cipher-suites", TLS_CIPHERS },
};

void plan_etcd(struct plan *p, struct pnode *pn, const struct cfg_node *n)
{
	const struct cluster *c = p->c;
	const struct cfg_etcd *e = &c->services.etcd;
	char *stem = plan_host_stem(p, "kube-etcd", n->internal_address);
	if (!stem)
		return;
	struct ct_draft d = { .user = p->etcd_user };
	struct flags *f = &d.flags;
	FLAGS_SET_TABLE(f, etcd_flags);
	flags_setf(f, "name", "etcd-%s", n->hostname_override);
	flags_setf(f, "advertise-client-urls", "https://%s:2379", n->internal_address);
	flags_setf(f, "initial-advertise-peer-urls", "https://%s:2380", n->internal_address);
	flags_set(f, "initial-cluster", p->initial_cluster);
	flags_setf(f, "cert-file", SSL_DIR "/%s.pem", stem);
	flags_setf(f, "key-file", SSL_DIR "/%s-key.pem", stem);
	flags_setf(f, "peer-cert-file", SSL_DIR "/%s.pem", stem);
	flags_setf(f, "peer-key-file", SSL_DIR "/%s-key.pem", stem);
	flags_table_defaults(p, f, K8S_ETCD);
	/* RKE adds these when its defaults leave them out */
	if (!flags_get(f, "client-cert-auth"))
		flags_set(f, "client-cert-auth", "true");
	if (!flags_get(f, "peer-client-cert-auth"))
		flags_set(f, "peer-client-cert-auth", "true");
	strv_addf(&d.binds, "%s/var/lib/etcd:/var/lib/rancher/etcd/:z", plan_prefix(c));
	strv_addf(&d.binds, ETC_KUBERNETES_BIND, plan_prefix(c));
	strv_add(&d.env, "ETCDCTL_API=3");
	strv_add(&d.env, "ETCDCTL_CACERT=" SSL_DIR "/kube-ca.pem");
	strv_addf(&d.env, "ETCDCTL_CERT=" SSL_DIR "/%s.pem", stem);
	strv_addf(&d.env, "ETCDCTL_KEY=" SSL_DIR "/%s-key.pem", stem);
	strv_add(&d.env, "ETCDCTL_ENDPOINTS=https://127.0.0.1:2379");
	pn_container(p, pn, "etcd", "etcd", &e->base, &d);

	/* the serving/peer certificate names every etcd host */
	pn_cert_shared(p, pn, stem, "kube-etcd", p->sans_etcd);

	if (e->backup.present ? e->backup.enabled : e->snapshot)
		plan_snapshots(p, pn, n, stem);
	free(stem);
}

/* Seconds of a Go duration such as "12h", "90m" or "1h30m" (h, m, s;
 * whole numbers); 0 when it is not one. */
static long long go_duration_secs(const char *s)
{
	long long total = 0;

	if (!s || !*s)
		return 0;
	while (*s) {
		char *end;
		long long v = strtoll(s, &end, 10);
		long long unit = *end == 'h' ? 3600 : *end == 'm' && end[1] != 's' ? 60 : *end == 's' ? 1 : 0;
		if (end == s || v < 0 || !unit || v > 100000000)
			return 0;
		total += v * unit;
		s = end + 1;
	}
	return total;
}

/* etcd.snapshot.interval_secs: seconds between snapshots; retention: how
 * many to keep (a count: backup_config.retention is one; the legacy
 * retention, a duration, is divided by the legacy creation, rounded up:
 * 72h / 12h keeps 6).  Unreadable legacy durations fall back to RKE's
 * 12h and 72h.  paddock.snapshot_interval_secs shortens the interval. */
int plan_etcd_node_config(const struct plan *p, struct nodecfg *out)
{
	const struct cfg_etcd *e = &p->c->services.etcd;
	long long iv, keep;
	char buf[32];
	int r = 0;

	if (e->backup.present ? e->backup.enabled : e->snapshot) {
		if (e->backup.present) {
			iv = e->backup.interval_hours * 3600;
			keep = e->backup.retention;
		} else {
			long long ret = go_duration_secs(e->retention);
			iv = go_duration_secs(e->creation);
			iv = iv ? iv : 12 * 3600;
			ret = ret ? ret : 72 * 3600;
			keep = (ret + iv - 1) / iv;
		}
		if (p->c->paddock.snapshot_interval_secs)
			iv = p->c->paddock.snapshot_interval_secs;
		snprintf(buf, sizeof(buf), "%lld", iv > 0 ? iv : 12 * 3600);
		r |= nodecfg_add(out, "etcd.snapshot.interval_secs", buf);
		snprintf(buf, sizeof(buf), "%lld", keep > 0 ? keep : 1);
		r |= nodecfg_add(out, "etcd.snapshot.retention", buf);
	}
	if (p->c->restore.restore && p->c->restore.snapshot_name && *p->c->restore.snapshot_name)
		r |= nodecfg_add(out, "etcd.restore", p->c->restore.snapshot_name);
	return r;
}
