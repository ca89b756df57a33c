#include "serve/serve_state.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"

long long serve_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void redraw_locked(struct serve_state *s)
{
	struct strbuf sb = STRBUF_INIT;
	sb_adds(&sb, "\033[H\033[J");
	sb_printf(&sb, "paddock serve %s on %s (%s, %s mode)%s\n\n", s->out.dir, s->iface, s->base_url,
		  s->dhcp ? "DHCP" : "proxy", s->once ? ", layers once per boot" : "");
	fleet_table(&sb, &s->fleet, serve_now_ms());
	if (sb.s)
		fputs(sb.s, stdout);
	fflush(stdout);
	sb_free(&sb);
}

void serve_emit(struct serve_state *s, const struct fleet_event *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct perr err = PERR_INIT;
	pthread_mutex_lock(&s->lock);
	fleet_apply(&s->fleet, e);
	if (s->output == SERVE_TABLE) {
		redraw_locked(s);
	} else {
		if (s->output == SERVE_JSON)
			fleet_event_json(&sb, &s->fleet, e);
		else
			fleet_event_line(&sb, &s->fleet, e);
		if (sb.s)
			fputs(sb.s, stdout);
		fflush(stdout);
	}
	char *status = s->status_path ? fleet_status_json(&s->fleet, serve_now_ms()) : NULL;
	if (status && write_file(s->status_path, status, strlen(status), 0600, &err) < 0) {
		char *m = perr_format(&err);
		fprintf(stderr, "paddock serve: cannot write the state file: %s\n", m ? m : "");
		free(m);
	}
	pthread_mutex_unlock(&s->lock);
	free(status);
	perr_clear(&err);
	sb_free(&sb);
}

void serve_log(struct serve_state *s, const char *fmt, ...)
{
	char t[16];
	time_t now = time(NULL);
	struct tm tm;
	if (!localtime_r(&now, &tm) || !strftime(t, sizeof(t), "%H:%M:%S", &tm))
		strcpy(t, "--:--:--");
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&s->lock);
	fprintf(stderr, "paddock serve: %s ", t);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&s->lock);
	va_end(ap);
}

void serve_redraw(struct serve_state *s)
{
	if (s->output != SERVE_TABLE)
		return;
	pthread_mutex_lock(&s->lock);
	redraw_locked(s);
	pthread_mutex_unlock(&s->lock);
}

size_t serve_row_for_mac(struct serve_state *s, const char *mac)
{
	const struct serve_node *n = mac && *mac ? serve_out_by_mac(&s->out, mac) : NULL;
	return n ? (size_t)(n - s->out.nodes) : FLEET_NO_ROW;
}

size_t serve_row_for_peer(struct serve_state *s, const char *ip, char mac[MAC_STR_LEN])
{
	char *arp = neigh_read_table();
	mac[0] = 0;
	if (!arp || neigh_lookup(arp, ip, s->iface, mac) < 0)
		mac[0] = 0;
	free(arp);
	return serve_row_for_mac(s, mac);
}
