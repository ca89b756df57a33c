/* Unit tests of init's parts that run without being PID 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "console.h"
#include "control.h"
#include "json.h"
#include "modules.h"
#include "mounts.h"
#include "services.h"
#include "status.h"
#include "strv.h"
#include "supervise.h"
#include "svcconf.h"
#include "sysctl.h"

static char *mktmp(void)
{
	char *d = strdup("/tmp/paddock-init-XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, rel) > 0);
	for (char *s = strchr(p + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void rmtree(const char *d)
{
	char *cmd = NULL;
	assert_true(asprintf(&cmd, "rm -rf '%s'", d) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* Runs check(arg) as nobody when the tests run as root (as CI does): root
 * writes any file, so permission errors would go untested.  check runs in a
 * child without cmocka and returns what the caller asserts. */
static int unprivileged(int (*check)(const char *), const char *arg)
{
	const struct passwd *pw = getpwnam("nobody");
	pid_t pid;
	int st;

	if (geteuid() != 0)
		return check(arg);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(setgroups(0, NULL) || setgid(pw ? pw->pw_gid : 65534) || setuid(pw ? pw->pw_uid : 65534)
			      ? 125 : check(arg));
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void backoff_doubles_and_caps(void **state)
{
	(void)state;
	assert_true(sv_backoff(1) == 1.0);
	assert_true(sv_backoff(2) == 2.0);
	assert_true(sv_backoff(4) == 8.0);
	assert_true(sv_backoff(7) == SV_BACKOFF_MAX);
	assert_true(sv_backoff(1000) == SV_BACKOFF_MAX);
}

static void supervisor_restarts_with_backoff(void **state)
{
	(void)state;
	char *argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	struct sv *s = sv_add_program("crashy", argv, "/dev/null", SV_RESTART_ALWAYS);
	struct sv *once = sv_add_program("once", (char *[]){ "/bin/true", NULL }, "/dev/null", SV_RESTART_ON_FAILURE);
	double again;
	int st;

	assert_non_null(s);
	assert_int_equal(sv_start(s, 100.0, NULL), 0);
	assert_int_equal(s->state, SV_RUNNING);
	assert_int_equal(waitpid(s->pid, &st, 0), s->pid);
	assert_ptr_equal(sv_reaped(s->pid, st, 100.5, &again), s);
	assert_true(again == 1.0);
	assert_int_equal(s->state, SV_BACKOFF);
	/* not yet due: nothing starts, the deadline is reported */
	assert_true(sv_tick(101.0) == 101.5);
	assert_int_equal(s->pid, 0);
	assert_true(sv_tick(101.6) == 0);
	assert_true(s->pid > 0);
	assert_int_equal(s->restarts, 1);
	assert_int_equal(waitpid(s->pid, &st, 0), s->pid);
	assert_ptr_equal(sv_reaped(s->pid, st, 102.0, &again), s);
	assert_true(again == 2.0); /* a quick failure again: longer wait */
	/* a run longer than SV_STABLE_SECS resets the streak */
	s->started = 0;
	s->pid = 4242424;
	assert_ptr_equal(sv_reaped(4242424, st, 1000.0, &again), s);
	assert_true(again == 1.0);

	assert_int_equal(sv_start(once, 5.0, NULL), 0);
	assert_int_equal(waitpid(once->pid, &st, 0), once->pid);
	assert_ptr_equal(sv_reaped(once->pid, st, 6.0, &again), once);
	assert_true(again < 0);
	assert_int_equal(once->state, SV_DONE);

	/* stopped on purpose: no restart */
	sv_stop(s);
	assert_int_equal(s->state, SV_STOPPED);
	assert_null(sv_reaped(999999, 0, 1.0, &again)); /* not ours */
	sv_reset();
}

static int child_fn(void *arg, int ready_fd)
{
	(void)arg;
	if (write(ready_fd, "R", 1) != 1)
		return 1;
	return 7;
}

static void function_entries_report_ready(void **state)
{
	(void)state;
	struct sv *s = sv_add_func("watcher", child_fn, NULL, SV_RESTART_NO);
	char c;
	int st;
	double again;

	assert_int_equal(sv_start(s, 1.0, NULL), 0);
	assert_int_equal(s->state, SV_STARTING);
	assert_ptr_equal(sv_find_ready_fd(s->ready_fd), s);
	assert_int_equal(read(s->ready_fd, &c, 1), 1);
	sv_mark_ready(s);
	assert_int_equal(s->state, SV_RUNNING);
	assert_int_equal(waitpid(s->pid, &st, 0), s->pid);
	assert_int_equal(WEXITSTATUS(st), 7);
	sv_reaped(s->pid, st, 2.0, &again);
	assert_int_equal(s->state, SV_DONE);

	size_t len;
	char *text = status_text(&len);
	assert_non_null(text);
	assert_non_null(strstr(text, "service\twatcher\tdone\t0\t0\t1.00\n"));
	free(text);
	sv_reset();
}

static void coldplug_matches_modaliases(void **state)
{
	(void)state;
	char *d = mktmp(), *sys = NULL, *alias = NULL, **found = NULL, **mods = NULL;
	size_t n = 0, nm = 0;
	struct perr e = PERR_INIT;

	put(d, "sys/pci0/0000:00:03.0/modalias", "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00\n");
	put(d, "sys/pci0/0000:00:04.0/modalias", "pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80\n");
	put(d, "sys/pci0/0000:00:04.0/again/modalias", "pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00\n");
	put(d, "sys/LNXPWRBN:00/modalias", "acpi:LNXPWRBN:\n");
	put(d, "modules.alias", "# Aliases extracted from modules themselves.\n"
			     "alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n"
			     "alias acpi:LNXPWRBN:* button\n"
			     "alias pci:v000010ECd00008139sv*sd*bc*sc*i* 8139too\n"
			     "alias pci:v00001AF4d00001000sv*sd*bc*sc*i* virtio_pci\n");
	assert_true(asprintf(&sys, "%s/sys", d) > 0);
	assert_true(asprintf(&alias, "%s/modules.alias", d) > 0);
	assert_int_equal(modules_collect_aliases(sys, &found, &n, &e), 0);
	assert_int_equal(n, 3); /* duplicates dropped */
	assert_int_equal(modules_match(alias, found, &mods, &nm, &e), 0);
	assert_int_equal(nm, 2);
	assert_true((!strcmp(mods[0], "virtio_pci") && !strcmp(mods[1], "button")) ||
		    (!strcmp(mods[1], "virtio_pci") && !strcmp(mods[0], "button")));
	strv_free(found);
	strv_free(mods);
	assert_int_not_equal(modules_match("/nonexistent", found, &mods, &nm, &e), 0);
	perr_clear(&e);
	rmtree(d);
	free(sys);
	free(alias);
	free(d);
}

/* kernel.kptr_restrict=2 under D: 0 written, 1 refused with an error
 * naming the key, 2 refused otherwise */
static int apply_kptr_restrict(const char *d)
{
	const char *const s[] = { "kernel.kptr_restrict=2", NULL };
	struct perr e = PERR_INIT;
	struct strv missing = STRV_INIT;
	size_t applied;
	int r = sysctl_apply(d, s, &applied, &missing, &e), named = r && strstr(e.msg, "kernel.kptr_restrict");

	perr_clear(&e);
	strv_clear(&missing);
	return !r ? 0 : named ? 1 : 2;
}

static void sysctl_writes_and_skips_missing(void **state)
{
	(void)state;
	char *d = mktmp(), buf[16] = "";
	struct perr e = PERR_INIT;
	struct strv missing = STRV_INIT;
	size_t applied;
	const char *const s[] = { "kernel.kptr_restrict=2", "net.ipv4.conf.all.rp_filter=1", "kernel.not_here=1",
				  NULL };

	put(d, "kernel/kptr_restrict", "0\n");
	put(d, "net/ipv4/conf/all/rp_filter", "0\n");
	assert_int_equal(sysctl_apply(d, s, &applied, &missing, &e), 0);
	assert_int_equal(applied, 2);
	/* the keys this kernel lacks, by name, for init's console line */
	assert_int_equal(missing.n, 1);
	assert_string_equal(missing.v[0], "kernel.not_here");
	strv_clear(&missing);
	char *p = NULL;
	assert_true(asprintf(&p, "%s/kernel/kptr_restrict", d) > 0);
	FILE *f = fopen(p, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "2");
	/* a key that cannot be written is an error naming it; the same key
	 * writable shows that only the file's mode stands in the way */
	chmod(d, 0755);
	chmod(p, 0666);
	assert_int_equal(unprivileged(apply_kptr_restrict, d), 0);
	chmod(p, 0444);
	assert_int_equal(unprivileged(apply_kptr_restrict, d), 1);
	free(p);
	/* the built-in list holds the hardening the issue asks for, with its values */
	const char *must[] = { "kernel.kptr_restrict=2", "kernel.dmesg_restrict=1", "fs.protected_symlinks=1",
			       "fs.protected_hardlinks=1", "net.ipv4.conf.all.rp_filter=1",
			       "net.ipv4.conf.all.accept_source_route=0", "net.ipv4.conf.all.accept_redirects=0",
			       /* what the kubelet's --protect-kernel-defaults demands */
			       "vm.overcommit_memory=1", "kernel.panic_on_oops=1", "kernel.panic=10",
			       "vm.panic_on_oom=0", "kernel.keys.root_maxkeys=1000000",
			       "kernel.keys.root_maxbytes=25000000", NULL };
	for (const char **m = must; *m; m++) {
		int found = 0;
		for (const char *const *h = sysctl_hardening; *h; h++)
			found |= !strcmp(*h, *m);
		assert_true(found);
	}
	rmtree(d);
	free(d);
}

static void tree_move_keeps_everything(void **state)
{
	(void)state;
	char *src = mktmp(), *dst = mktmp(), *p = NULL, link[64] = "";
	struct perr e = PERR_INIT;
	struct stat st;
	int s, d;

	put(src, "bin/busybox", "ELF");
	put(src, "etc/paddock/node.conf", "node.name=n1\n");
	assert_true(asprintf(&p, "%s/bin/sh", src) > 0);
	assert_int_equal(symlink("busybox", p), 0);
	free(p);
	assert_true(asprintf(&p, "%s/bin/busybox", src) > 0);
	chmod(p, 0751);
	free(p);
	assert_true(asprintf(&p, "%s/fifo", src) > 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	s = open(src, O_RDONLY | O_DIRECTORY);
	d = open(dst, O_RDONLY | O_DIRECTORY);
	assert_int_equal(tree_move(s, d, 1, 0, &e), 0);
	close(s);
	close(d);
	assert_true(asprintf(&p, "%s/bin/sh", dst) > 0);
	assert_int_equal(readlink(p, link, sizeof(link) - 1), 7);
	assert_string_equal(link, "busybox");
	free(p);
	assert_true(asprintf(&p, "%s/bin/busybox", dst) > 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0751);
	assert_int_equal(st.st_size, 3);
	free(p);
	assert_true(asprintf(&p, "%s/fifo", dst) > 0);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	free(p);
	/* the source is emptied as it goes */
	assert_true(asprintf(&p, "%s/etc", src) > 0);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	rmtree(src);
	rmtree(dst);
	free(src);
	free(dst);
}

static void service_conf_becomes_create_request(void **state)
{
	(void)state;
	struct nodecfg c = { 0 };
	struct svcconf s;
	struct perr e = PERR_INIT;
	struct json *j = NULL;
	const char *text = "name=sshd\nimage=paddock/sshd:1\ncommand=/usr/sbin/sshd\ncommand=-D\n"
			   "pid=host\nvolume=/a:/b:ro\nprivileged=true\nenv=X=\"q\"\n";
	char *body;

	assert_int_equal(nodecfg_parse("30-sshd.conf", text, strlen(text), &c, &e), 0);
	assert_int_equal(svcconf_from_nodecfg("30-sshd.conf", &c, &s, &e), 0);
	body = svcconf_create_json(&s);
	assert_int_equal(json_parse(body, strlen(body), &j, &e), 0);
	assert_string_equal(json_str_at(j, "Image"), "paddock/sshd:1");
	assert_string_equal(json_get(j, "Cmd")->child->next->str, "-D");
	assert_string_equal(json_get(j, "Env")->child->str, "X=\"q\"");
	assert_string_equal(json_str_at(j, "HostConfig.NetworkMode"), "host");
	assert_string_equal(json_str_at(j, "HostConfig.PidMode"), "host");
	assert_true(json_bool_at(j, "HostConfig.Privileged", false));
	assert_string_equal(json_str_at(j, "HostConfig.RestartPolicy.Name"), "no");
	assert_string_equal(json_get(json_get(j, "Labels"), "io.paddock.service")->str, "sshd");
	json_free(j);
	free(body);

	/* and back: what the builder writes is what init reads */
	struct nodecfg back = { 0 };
	struct svcconf s2;
	assert_int_equal(svcconf_to_nodecfg(&s, &back), 0);
	assert_int_equal(svcconf_from_nodecfg("x", &back, &s2, &e), 0);
	assert_string_equal(s2.volumes[0], "/a:/b:ro");
	assert_true(s2.privileged);
	svcconf_free(&s2);
	nodecfg_free(&back);
	svcconf_free(&s);
	nodecfg_free(&c);

	text = "name=x\nimage=y\nrestart=sometimes\n";
	assert_int_equal(nodecfg_parse("x.conf", text, strlen(text), &c, &e), 0);
	assert_int_equal(svcconf_from_nodecfg("x.conf", &c, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "sometimes"));
	perr_clear(&e);
	nodecfg_free(&c);
}

static void control_requests_are_parsed(void **state)
{
	(void)state;
	char *d = mktmp(), *sock = NULL, *name = NULL;
	unsigned lines = 0;
	struct perr e = PERR_INIT;
	struct control ctl;
	struct stat st;

	assert_int_equal(control_parse("status", &name, &lines), CONTROL_STATUS);
	assert_int_equal(control_parse("poweroff", &name, &lines), CONTROL_POWEROFF);
	assert_int_equal(control_parse("reboot", &name, &lines), CONTROL_REBOOT);
	assert_int_equal(control_parse("logs sshd 20", &name, &lines), CONTROL_LOGS);
	assert_string_equal(name, "sshd");
	assert_int_equal(lines, 20);
	free(name);
	name = NULL;
	assert_int_equal(control_parse("logs sshd", &name, &lines), CONTROL_NONE);
	assert_int_equal(control_parse("logs sshd ", &name, &lines), CONTROL_NONE);
	assert_int_equal(control_parse("logs  5", &name, &lines), CONTROL_NONE);
	assert_int_equal(control_parse("rm -rf /", &name, &lines), CONTROL_NONE);
	assert_null(name);

	assert_true(asprintf(&sock, "%s/init.sock", d) > 0);
	assert_int_equal(control_listen(&ctl, sock, &e), 0);
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(control_next_deadline(&ctl), 0);
	control_close(&ctl);
	unlink(sock);
	free(sock);
	rmdir(d);
	free(d);
}

static void start_refuses_a_running_entry(void **state)
{
	(void)state;
	struct sv *s = sv_add_program("loader", (char *[]){ "/bin/sleep", "5", NULL }, "/dev/null", SV_RESTART_NO);
	struct perr e = PERR_INIT;
	pid_t first;
	int st;

	assert_int_equal(sv_start(s, 1.0, &e), 0);
	first = s->pid;
	/* started again while it runs (a System Docker restart): refused, the first kept */
	assert_int_equal(sv_start(s, 2.0, &e), -EBUSY);
	assert_non_null(strstr(e.msg, "already running"));
	perr_clear(&e);
	assert_int_equal(s->pid, first);
	assert_true(s->started == 1.0);
	kill(first, SIGKILL);
	assert_int_equal(waitpid(first, &st, 0), first);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* no second copy was forked */
	assert_int_equal(errno, ECHILD);
	sv_reset();
}

static void service_files_sort_as_numbers(void **state)
{
	(void)state;
	char *names[] = { "100-x.conf", "20-y.conf", "readme.conf", "010-a.conf", "9-z.conf", "20-b.conf", NULL };
	const char *want[] = { "9-z.conf", "010-a.conf", "20-b.conf", "20-y.conf", "100-x.conf", "readme.conf" };

	services_sort_files(names, 6);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(names[i], want[i]);
}

static void stages_keep_the_latest_result(void **state)
{
	(void)state;
	size_t n;
	const struct stage_rec *r;

	stage_failed("network", "no link after %d s", 10);
	stage_ok("network");
	r = stage_list(&n);
	size_t found = 0;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(r[i].name, "network")) {
			assert_true(r[i].ok);
			assert_null(r[i].why);
			found++;
		}
	assert_int_equal(found, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_doubles_and_caps),
		cmocka_unit_test(supervisor_restarts_with_backoff),
		cmocka_unit_test(function_entries_report_ready),
		cmocka_unit_test(coldplug_matches_modaliases),
		cmocka_unit_test(sysctl_writes_and_skips_missing),
		cmocka_unit_test(tree_move_keeps_everything),
		cmocka_unit_test(service_conf_becomes_create_request),
		cmocka_unit_test(control_requests_are_parsed),
		cmocka_unit_test(start_refuses_a_running_entry),
		cmocka_unit_test(service_files_sort_as_numbers),
		cmocka_unit_test(stages_keep_the_latest_result),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
