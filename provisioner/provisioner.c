#include "provisioner.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "console.h"
#include "etcd_conf.h"
#include "fsutil.h"
#include "prov_machine.h"
#include "prov_sys.h"
#include "provision.h"

static volatile sig_atomic_t stop_asked;

static void on_term(int sig)
{
	(void)sig;
	stop_asked = 1;
}

static void nap(double s)
{
	double end = boot_seconds() + s;

	while (!stop_asked && boot_seconds() < end)
		sleep_s(0.1);
}

/* A provisioner that cannot run etcd: said, and paddock-services may load
 * its images (ETCD_START_TRIED). */
static int cannot_run(const char *msg)
{
	struct perr err = PERR_INIT;
	struct prov_status st = { .stage = "failed", .since = boot_seconds(), .detail = msg };

	stage_failed("provisioner", "%s", msg);
	prov_status_write(PROVISIONER_STATUS, &st, &err);
	perr_clear(&err);
	if (access(ETCD_START_TRIED, F_OK) < 0)
		write_file(ETCD_START_TRIED, "", 0, 0644, &err);
	perr_clear(&err);
	return 1;
}

int provisioner_run(void)
{
	struct prov p = { 0 };
	struct prov_sys sys;
	struct perr err = PERR_INIT;
	struct sigaction sa = { .sa_handler = on_term };
	int r, code = 0;

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	mkdir_p("/run/paddock", 0755, &err);
	perr_clear(&err);
	unlink(ETCD_HEALTHY);

	r = etcd_conf_find(CONTAINERS_DIR, &p.ec, &err);
	if (r == -ENOENT) {
		struct prov_status st = { .stage = "no etcd role", .since = boot_seconds() };
		prov_status_write(PROVISIONER_STATUS, &st, &err);
		perr_clear(&err);
		while (!stop_asked)
			nap(3600);
		return 0;
	}
	if (r < 0) {
		code = cannot_run(err.msg);
		perr_clear(&err);
		etcd_conf_free(&p.ec);
		return code;
	}
	if (prov_sys_open(&sys, &p.ec, &stop_asked, &err) < 0) {
		code = cannot_run(err.msg);
		perr_clear(&err);
		prov_sys_close(&sys);
		etcd_conf_free(&p.ec);
		return code;
	}
	snapshots_setup(&p.sn);
	p.ops = &prov_sys_ops;
	p.ctx = &sys;
	prov_init(&p);
	while (!stop_asked && p.phase != PROV_FAILED)
		nap(prov_step(&p));
	if (p.phase == PROV_FAILED)
		code = 1;
	else
		prov_stop(&p);
	prov_free(&p);
	snapshots_free(&p.sn);
	prov_sys_close(&sys);
	etcd_conf_free(&p.ec);
	return code;
}
