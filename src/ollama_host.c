// SPDX-License-Identifier: MIT
/*
 * OLLAMA_HOST, parsed the way Ollama's envconfig.Host() does it:
 *
 *   trim spaces, then quotes (" and '), then spaces again;
 *   "scheme://" cut off: http -> default port 80, https -> 443, none -> http
 *   and 11434 ("ollama.com" alone means https://ollama.com:443);
 *   everything from the first '/' is a path and is ignored here;
 *   host:port split like Go's net.SplitHostPort; when that fails (no port,
 *   or a bare IPv6 address) the whole thing is the host and the port is the
 *   default; an empty host is 127.0.0.1.
 *
 * Where Ollama only logs a warning and falls back to the default port (a
 * port that is not a number or out of 0..65535) o3 refuses the value: a
 * harness that silently talks to another port than the one the user named
 * measures the wrong server. Unknown schemes, an empty port after ':', port
 * 0 (nothing can be connected to it) and characters that cannot be in a
 * host name are refused too.
 *
 * An empty host (":8080") is connected to at 127.0.0.1, as Go's dialer does.
 * A listen address such as 0.0.0.0 or [::] is kept: on Linux connecting to
 * it reaches the local host, which is what the Go client does too.
 */
#include "ollama.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "banned.h"

#define HOST_MAX 256

/* The message shows the value on one line: control bytes as '?', long
 * values cut with "...". */
static void fail(char *err, size_t errlen, const char *value, const char *why)
{
	char shown[84];
	size_t i;

	if (!err || !errlen)
		return;
	for (i = 0; value[i] && i < 80; i++)
		shown[i] = iscntrl((unsigned char)value[i]) ? '?' : value[i];
	shown[i] = '\0';
	if (value[i])
		snprintf(shown + 77, sizeof(shown) - 77, "...");
	snprintf(err, errlen, "invalid OLLAMA_HOST '%s': %s", shown, why);
	for (i = 0; err[i]; i++) /* why may quote a part of the value */
		if (iscntrl((unsigned char)err[i]))
			err[i] = '?';
}

/* [b, e) trimmed of the characters in set */
static void trim(const char **b, const char **e, const char *set)
{
	while (*b < *e && strchr(set, **b))
		(*b)++;
	while (*e > *b && strchr(set, (*e)[-1]))
		(*e)--;
}

static int valid_hostname(const char *h)
{
	size_t n = strlen(h);
	if (!n || n > 253)
		return 0;
	for (; *h; h++) {
		unsigned char c = (unsigned char)*h;
		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return 0;
	}
	return 1;
}

/* Canonical text of an IPv6 literal; 0 when it is not one. */
static int ipv6_canonical(const char *s, char *out, size_t outlen)
{
	struct in6_addr a;
	char buf[INET6_ADDRSTRLEN];
	if (inet_pton(AF_INET6, s, &a) != 1)
		return 0;
	if (!inet_ntop(AF_INET6, &a, buf, sizeof(buf)))
		return 0;
	o3_strlcpy(out, buf, outlen);
	return 1;
}

static int parse_port(const char *s, int *port, const char *value, char *err, size_t errlen)
{
	long n;
	char why[96];
	if (!*s) {
		fail(err, errlen, value, "empty port after ':'");
		return -1;
	}
	if (o3_parse_long(s, &n) || !isdigit((unsigned char)*s)) {
		snprintf(why, sizeof(why), "port '%.40s' is not a number", s);
		fail(err, errlen, value, why);
		return -1;
	}
	if (n < 1 || n > 65535) {
		snprintf(why, sizeof(why), "port %ld is out of range (1-65535)", n);
		fail(err, errlen, value, why);
		return -1;
	}
	*port = (int)n;
	return 0;
}

/*
 * Split hostport into host and port text like net.SplitHostPort. Returns 1
 * when it split, 0 when Go's SplitHostPort would fail (no port), -1 when the
 * text is malformed in a way Go would also reject.
 */
static int split_host_port(const char *hp, char *host, char *port, size_t len)
{
	const char *colon;
	if (hp[0] == '[') {
		const char *close = strchr(hp, ']');
		if (!close)
			return -1;
		if (close[1] == '\0')
			return 0; /* "[::1]": no port */
		if (close[1] != ':' || strchr(close + 2, ':') || strchr(close + 2, '[') ||
		    strchr(close + 2, ']'))
			return -1;
		if ((size_t)(close - hp - 1) >= len)
			return -1;
		memcpy(host, hp + 1, (size_t)(close - hp - 1));
		host[close - hp - 1] = '\0';
		o3_strlcpy(port, close + 2, len);
		return 1;
	}
	colon = strrchr(hp, ':');
	if (!colon)
		return 0;
	if (strchr(hp, ':') != colon)
		return 0; /* too many colons: maybe a bare IPv6 address */
	if (strchr(hp, '[') || strchr(hp, ']'))
		return -1;
	if ((size_t)(colon - hp) >= len)
		return -1;
	memcpy(host, hp, (size_t)(colon - hp));
	host[colon - hp] = '\0';
	o3_strlcpy(port, colon + 1, len);
	return 1;
}

int ollama_host_parse(const char *value, struct ollama_host *out, char *err, size_t errlen)
{
	const char *b = value ? value : "", *e, *sep, *slash;
	char s[HOST_MAX * 2], hostport[HOST_MAX * 2], host[HOST_MAX], port_s[HOST_MAX];
	const char *scheme = "http";
	int port = 11434, r;
	size_t n;

	if (err && errlen)
		err[0] = '\0';
	e = b + strlen(b);
	trim(&b, &e, " \t\r\n\v\f");
	trim(&b, &e, "\"'");
	trim(&b, &e, " \t\r\n\v\f");
	n = (size_t)(e - b);
	if (n >= sizeof(s)) {
		fail(err, errlen, value, "too long");
		return -1;
	}
	memcpy(s, b, n);
	s[n] = '\0';

	sep = strstr(s, "://");
	if (!sep) {
		if (!strcmp(s, "ollama.com")) {
			scheme = "https";
			port = 443;
		}
		o3_strlcpy(hostport, s, sizeof(hostport));
	} else {
		size_t sl = (size_t)(sep - s);
		if (sl == 4 && !strncmp(s, "http", 4)) {
			port = 80;
		} else if (sl == 5 && !strncmp(s, "https", 5)) {
			scheme = "https";
			port = 443;
		} else {
			char why[96];
			snprintf(why, sizeof(why), "unknown scheme '%.*s' (use http or https)",
				 (int)(sl > 32 ? 32 : sl), s);
			fail(err, errlen, value, why);
			return -1;
		}
		o3_strlcpy(hostport, sep + 3, sizeof(hostport));
	}
	slash = strchr(hostport, '/');
	if (slash)
		hostport[slash - hostport] = '\0'; /* path: ignored */

	r = split_host_port(hostport, host, port_s, sizeof(host));
	if (r < 0) {
		fail(err, errlen, value, "malformed host:port");
		return -1;
	}
	if (r == 1) {
		if (parse_port(port_s, &port, value, err, errlen))
			return -1;
	} else {
		/* no port: the whole text is the host (brackets dropped) */
		const char *hb = hostport, *he = hostport + strlen(hostport);
		trim(&hb, &he, "[]");
		if ((size_t)(he - hb) >= sizeof(host)) {
			fail(err, errlen, value, "host name too long");
			return -1;
		}
		memcpy(host, hb, (size_t)(he - hb));
		host[he - hb] = '\0';
	}

	if (!host[0]) {
		o3_strlcpy(out->host, "127.0.0.1", sizeof(out->host));
	} else if (strchr(host, ':')) {
		if (!ipv6_canonical(host, out->host, sizeof(out->host))) {
			fail(err, errlen, value, "not a valid IPv6 address");
			return -1;
		}
	} else if (valid_hostname(host)) {
		o3_strlcpy(out->host, host, sizeof(out->host));
	} else {
		fail(err, errlen, value, "not a valid host name");
		return -1;
	}
	o3_strlcpy(out->scheme, scheme, sizeof(out->scheme));
	out->port = port;
	if (strchr(out->host, ':'))
		snprintf(out->base_url, sizeof(out->base_url), "%s://[%s]:%d", scheme, out->host, port);
	else
		snprintf(out->base_url, sizeof(out->base_url), "%s://%s:%d", scheme, out->host, port);
	return 0;
}
