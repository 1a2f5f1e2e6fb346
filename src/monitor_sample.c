// SPDX-License-Identifier: MIT
/* The sample every backend fills, and the small-file readers they share. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "monitor_backend.h"
#include "util.h"
#include "banned.h"

void monitor_value_set(struct monitor_value *v, int64_t x, const char *backend)
{
	if (v->backend)
		return;
	v->v = x;
	v->backend = backend;
}

struct monitor_device *monitor_sample_device(struct monitor_sample *s, const char *id,
					     const char *pci, const char *backend)
{
	struct monitor_device *d;
	unsigned i;

	if (pci && *pci) {
		for (i = 0; i < s->n_devices; i++)
			if (!strcmp(s->dev[i].pci, pci))
				return &s->dev[i];
	}
	if (s->n_devices >= MONITOR_MAX_DEVICES)
		return NULL;
	d = &s->dev[s->n_devices++];
	memset(d, 0, sizeof(*d));
	o3_strlcpy(d->id, id, sizeof(d->id));
	o3_strlcpy(d->pci, pci ? pci : "", sizeof(d->pci));
	d->backend = backend;
	d->unified = -1;
	return d;
}

void monitor_sample_clear(struct monitor_sample *s)
{
	unsigned i;
	s->t_ns = 0;
	for (i = 0; i < s->n_devices; i++)
		memset(&s->dev[i], 0, sizeof(s->dev[i]));
	s->n_devices = 0;
	memset(s->sys, 0, sizeof(s->sys));
}

long monitor_read_file(const char *path, char *buf, size_t buflen)
{
	ssize_t n;
	size_t got = 0;
	int fd;

	if (!buflen)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got + 1 < buflen) {
		n = read(fd, buf + got, buflen - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (long)got;
}

int monitor_read_u64(const char *path, uint64_t *out)
{
	char buf[64], *end;
	unsigned long long v;
	long n = monitor_read_file(path, buf, sizeof(buf));

	if (n <= 0)
		return -1;
	if (buf[0] < '0' || buf[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || end == buf)
		return -1;
	while (*end == '\n' || *end == ' ')
		end++;
	if (*end || v > (unsigned long long)INT64_MAX)
		return -1;
	*out = v;
	return 0;
}

int monitor_path(char *out, size_t outlen, const char *a, const char *b)
{
	int n = snprintf(out, outlen, "%s/%s", a, b);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
