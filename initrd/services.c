#include "services.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "docker_api.h"
#include "fsutil.h"
#include "health.h"
#include "nodecfg.h"
#include "provision.h"
#include "pull.h"
#include "strv.h"

#define KIND(o) ((o)->role ? "container" : "service")

/* dir_list_sorted, where a missing dir holds nothing. */
static int list_or_none(const char *dir, const char *suffix, char ***ret, size_t *ret_n, struct perr *err)
{
	int r = dir_list_sorted(dir, suffix, ret, ret_n, err);

	if (r != -ENOENT)
		return r;
	perr_clear(err);
	*ret_n = 0;
	if (!(*ret = calloc(1, sizeof(**ret))))
		return perr_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* "NN-NAME.conf": NN as a number, so 100-x comes after 20-y; then the name. */
static int by_number(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	char *ex, *ey;
	unsigned long nx = strtoul(x, &ex, 10), ny = strtoul(y, &ey, 10);
	bool hx = ex != x, hy = ey != y;

	if (hx != hy)
		return hx ? -1 : 1;
	if (hx && nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x, y);
}

void services_sort_files(char **names, size_t n)
{
	qsort(names, n, sizeof(*names), by_number);
}

int services_load(const char *dir, struct osvc **ret, size_t *ret_n, struct perr *err)
{
	char **names;
	size_t n;
	struct osvc *v;
	int r;

	if ((r = list_or_none(dir, ".conf", &names, &n, err)) < 0)
		return r;
	services_sort_files(names, n);
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		strv_free(names);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			r = perr_set(err, -ENOMEM, "out of memory");
		} else {
			r = svcconf_load(path, &v[i].conf, err);
			free(path);
		}
		if (r < 0) {
			services_free(v, i);
			strv_free(names);
			return r;
		}
	}
	strv_free(names);
	*ret = v;
	*ret_n = n;
	return 0;
}

int services_load_roles(const char *dir, struct osvc **v, size_t *n, struct perr *err)
{
	struct osvc *roles = NULL, *all;
	size_t nr = 0, k = 0;
	int r;

	if ((r = services_load(dir, &roles, &nr, err)) < 0)
		return perr_wrap(err, "%s", dir);
	all = realloc(*v, (*n + nr + 1) * sizeof(*all));
	if (!all) {
		services_free(roles, nr);
		return perr_set(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < nr; i++) {
		if (!strcmp(roles[i].conf.name, ETCD_NAME)) {
			svcconf_free(&roles[i].conf);
			continue;
		}
		all[*n + k] = roles[i];
		all[*n + k++].role = true;
	}
	free(roles);
	*v = all;
	*n += k;
	return 0;
}

void services_free(struct osvc *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		svcconf_free(&v[i].conf);
	free(v);
}

/* after a Docker API timeout, the watcher waits this long before it ends */
#define SLOW_DOCKER_PAUSE_SECS 15.0

/* How long a started service may take to pass its health check, each
 * try's bound, and the pause between tries. */
#define HEALTH_WAIT_SECS 120.0
#define HEALTH_TRY_SECS 2.0
#define HEALTH_PAUSE_SECS 0.5

/* Tries o's health check until it passes (1), its container is no longer
 * running (0: the caller waits for its exit status), or HEALTH_WAIT_SECS
 * pass (<0, *err says what the last try got). */
static int until_healthy(struct docker *d, const struct osvc *o, const char *id, struct perr *err)
{
	struct nodecfg cfg = { 0 };
	struct perr cerr = PERR_INIT;
	double end = boot_seconds() + HEALTH_WAIT_SECS;
	int r;

	/* no node.conf: a port given as a number still works */
	if (nodecfg_load(NODECFG_PATH, &cfg, &cerr) < 0)
		perr_clear(&cerr);
	for (;;) {
		struct docker_state st;
		perr_clear(err);
		if (health_check(o->conf.health, &cfg, HEALTH_TRY_SECS, err) == 0) {
			r = 1;
			break;
		}
		if (docker_container_inspect(d, id, &st, &cerr) == 0) {
			bool running = st.running;
			docker_state_free(&st);
			if (!running) {
				r = 0;
				break;
			}
		}
		perr_clear(&cerr);
		if (boot_seconds() >= end) {
			r = perr_wrap(err, "not healthy %.0f s after its start", HEALTH_WAIT_SECS);
			break;
		}
		sleep_s(HEALTH_PAUSE_SECS);
	}
	perr_clear(&cerr);
	nodecfg_free(&cfg);
	return r;
}

/* The watcher: (re)creates the container, starts it, reports ready once
 * its health check passes (at once without one), then blocks until it
 * stops; its exit status is the container's. */
static int watch(void *arg, int ready_fd)
{
	struct osvc *o = arg;
	struct perr err = PERR_INIT;
	struct docker *d = NULL;
	char *body = NULL, *id = NULL;
	int code = 125, r;

	if (docker_open(SYSTEM_DOCKER_SOCK, &d, &err) < 0)
		goto fail;
	if (o->role && pull_until_present(d, o->conf.name, o->conf.image, &err) < 0)
		goto fail;
	if ((r = docker_image_exists(d, o->conf.image, &err)) < 0) {
		if (r == -ENOENT)
			perr_set(&err, r, "image %s is not loaded", o->conf.image);
		goto fail;
	}
	r = docker_container_remove(d, o->conf.name, true, &err);
	if (r < 0 && r != -ENOENT)
		goto fail;
	perr_clear(&err);
	body = svcconf_create_json(&o->conf);
	if (!body) {
		perr_set(&err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (docker_container_create(d, o->conf.name, body, &id, &err) < 0 ||
	    docker_container_start(d, id, &err) < 0)
		goto fail;
	r = o->conf.health && *o->conf.health ? until_healthy(d, o, id, &err) : 1;
	if (r < 0) {
		/* a service that never answers is restarted like one that ended */
		struct perr serr = PERR_INIT;
		docker_container_stop(d, id, SERVICES_STOP_GRACE, &serr);
		perr_clear(&serr);
		goto fail;
	}
	if (r == 1 && write(ready_fd, "R", 1) != 1)
		goto fail;
	close(ready_fd);
	ready_fd = -1;
	if (docker_container_wait(d, id, &code, &err) < 0)
		goto fail;
	console_line("%s %s exited with %d %.2f", KIND(o), o->conf.name, code, boot_seconds());
	goto out;
fail:
	code = 125;
	if (err.code == -ETIMEDOUT) {
		/* Docker is slow (a loaded machine): a new try a second later
		 * would pile more work on it */
		console_line("%s %s FAILED: %s; Docker answers slowly: next try in %.0f s at the earliest", KIND(o),
			     o->conf.name, err.msg, SLOW_DOCKER_PAUSE_SECS);
		sleep_s(SLOW_DOCKER_PAUSE_SECS);
		goto out;
	}
	console_line("%s %s FAILED: %s", KIND(o), o->conf.name, err.msg ? err.msg : "?");
out:
	if (ready_fd >= 0)
		close(ready_fd);
	perr_clear(&err);
	free(body);
	free(id);
	docker_close(d);
	return code ? (code & 0xff ? code & 0xff : 1) : 0;
}

static enum sv_restart to_sv(enum svc_restart r)
{
	return r == SVC_RESTART_NO ? SV_RESTART_NO : r == SVC_RESTART_ON_FAILURE ? SV_RESTART_ON_FAILURE
										: SV_RESTART_ALWAYS;
}

int services_register(struct osvc *v, size_t n, struct perr *err)
{
	for (size_t i = 0; i < n; i++) {
		v[i].sv = sv_add_func(v[i].conf.name, watch, &v[i], to_sv(v[i].conf.restart));
		if (!v[i].sv)
			return perr_set(err, -ENOMEM, "out of memory");
	}
	return 0;
}

bool services_deps_running(const struct osvc *v, size_t n, const struct osvc *o, const char *etcd_healthy)
{
	for (char **dep = o->conf.depends_on; *dep; dep++) {
		bool ok = !strcmp(*dep, ETCD_NAME) && access(etcd_healthy, F_OK) == 0;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].conf.name, *dep))
				ok = v[i].sv->state == SV_RUNNING;
		if (!ok)
			return false;
	}
	return true;
}

size_t services_start_ready(struct osvc *v, size_t n, double now)
{
	size_t started = 0;

	for (size_t i = 0; i < n; i++) {
		struct perr err = PERR_INIT;
		if (v[i].sv->state != SV_WAITING || !v[i].sv->enabled || !services_deps_running(v, n, &v[i], ETCD_HEALTHY))
			continue;
		if (sv_start(v[i].sv, now, &err) < 0) {
			console_line("%s %s FAILED: %s", KIND(&v[i]), v[i].conf.name, err.msg ? err.msg : "?");
			v[i].sv->state = SV_BACKOFF;
			v[i].sv->next_start = now + 1;
		} else {
			started++;
		}
		perr_clear(&err);
	}
	return started;
}

/* The service whose watcher is s, or NULL. */
static const struct osvc *of_watcher(const struct osvc *v, size_t n, const struct sv *s)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].sv == s)
			return &v[i];
	return NULL;
}

/* A child that asks System Docker to stop one container (its stop signal,
 * then SIGKILL after grace seconds) and exits; -1 when fork failed. */
static pid_t stop_in_child(const char *name, int grace)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct perr err = PERR_INIT;
		struct docker *d = NULL;
		int r = docker_open(SYSTEM_DOCKER_SOCK, &d, &err);
		if (r == 0) {
			docker_set_timeout(d, grace + 5);
			r = docker_container_stop(d, name, grace, &err);
		}
		if (r < 0 && r != -ENOENT)
			console_line("service %s: stop: %s", name, err.msg ? err.msg : "?");
		_exit(0);
	}
	return pid;
}

void services_stop_all(struct osvc *v, size_t n, double budget_s)
{
	size_t no = 0, nkids = 0;
	struct sv **order = sv_stop_order(&no);
	pid_t *kids = calloc(no ? no : 1, sizeof(*kids));
	double end = boot_seconds() + budget_s;
	int grace = budget_s > SERVICES_STOP_GRACE ? SERVICES_STOP_GRACE : budget_s > 0 ? (int)budget_s : 0;

	for (size_t i = 0; i < n; i++)
		v[i].sv->enabled = false;
	/* all at once, the last started asked first: one stop takes seconds
	 * under emulation, and nothing here needs another container to stop
	 * before it */
	for (size_t i = 0; order && kids && i < no; i++) {
		const struct osvc *o = of_watcher(v, n, order[i]);
		pid_t pid;
		if (o && (pid = stop_in_child(o->conf.name, grace)) > 0)
			kids[nkids++] = pid;
	}
	for (size_t left = nkids; left > 0 && boot_seconds() < end;) {
		for (size_t i = 0; i < nkids; i++)
			if (kids[i] > 0 && waitpid(kids[i], NULL, WNOHANG) == kids[i]) {
				kids[i] = 0;
				left--;
			}
		if (left)
			sleep_s(0.05);
	}
	for (size_t i = 0; i < nkids; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	free(kids);
	free(order);
	for (size_t i = 0; i < n; i++)
		sv_stop(v[i].sv);
}

bool services_run_etcd(const char *dir)
{
	struct perr err = PERR_INIT;
	struct osvc *v = NULL;
	size_t n = 0;
	bool found = false;

	if (services_load(dir, &v, &n, &err) == 0)
		for (size_t i = 0; i < n; i++)
			found |= !strcmp(v[i].conf.name, ETCD_NAME);
	perr_clear(&err);
	services_free(v, n);
	return found;
}

int images_load_all(void *arg, int ready_fd)
{
	struct perr err = PERR_INIT;
	struct docker *d = NULL;
	char **names = NULL;
	size_t n = 0;
	int code = 0;
	const bool *etcd_first = arg;

	close(ready_fd);
	if (etcd_first && *etcd_first && access(ETCD_HEALTHY, F_OK) < 0) {
		double t0 = boot_seconds(), tried = 0;
		console_line("images: after etcd is healthy %.2f", t0);
		while (access(ETCD_HEALTHY, F_OK) < 0 && boot_seconds() - t0 < ETCD_START_WAIT_SECS) {
			if (!tried && access(ETCD_START_TRIED, F_OK) == 0)
				tried = boot_seconds();
			if (tried && boot_seconds() - tried >= ETCD_HEALTHY_WAIT_SECS) {
				console_line("images: etcd not healthy %.0f s after its start; loading them now",
					     ETCD_HEALTHY_WAIT_SECS);
				break;
			}
			sleep_s(0.2);
		}
	}
	if (list_or_none(IMAGES_DIR, ".tar", &names, &n, &err) < 0 || docker_open(SYSTEM_DOCKER_SOCK, &d, &err) < 0) {
		console_line("images FAILED: %s", err.msg ? err.msg : "?");
		code = 1;
	}
	for (size_t i = 0; code == 0 && i < n; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", IMAGES_DIR, names[i]) < 0) {
			code = 1;
			break;
		}
		double t0 = boot_seconds();
		if (docker_image_load(d, path, &err) < 0) {
			console_line("images FAILED: %s", err.msg ? err.msg : "?");
			code = 1;
		} else {
			console_line("image %s loaded in %.1f s %.2f", names[i], boot_seconds() - t0, boot_seconds());
		}
		free(path);
	}
	strv_free(names);
	docker_close(d);
	perr_clear(&err);
	return code;
}
