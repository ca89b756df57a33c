#include "log_demux.h"

/* Whether byte number k of a frame header can be b. */
static bool header_byte(size_t k, unsigned char b)
{
	return k == 0 ? b <= 2 : k < 4 ? b == 0 : true;
}

int log_demux_feed(struct log_demux *m, const char *data, size_t len, log_sink sink, void *arg)
{
	int r;

	while (len) {
		if (m->raw)
			return sink(arg, data, len);
		if (m->left) {
			size_t n = len < m->left ? len : m->left;
			if ((r = sink(arg, data, n)) < 0)
				return r;
			m->left -= n;
			data += n;
			len -= n;
			continue;
		}
		size_t k = m->hlen++;
		m->hdr[k] = (unsigned char)*data++;
		len--;
		/* text, not a frame: from here on everything is passed on */
		if (!header_byte(k, m->hdr[k])) {
			m->raw = true;
			if ((r = sink(arg, (const char *)m->hdr, m->hlen)) < 0)
				return r;
			m->hlen = 0;
			continue;
		}
		if (m->hlen == 8) {
			m->left = (size_t)m->hdr[4] << 24 | (size_t)m->hdr[5] << 16 | (size_t)m->hdr[6] << 8 | m->hdr[7];
			m->hlen = 0;
		}
	}
	return 0;
}

int log_demux_end(struct log_demux *m, log_sink sink, void *arg)
{
	size_t n = m->hlen;

	m->hlen = 0;
	return n ? sink(arg, (const char *)m->hdr, n) : 0;
}
