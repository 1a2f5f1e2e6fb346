// SPDX-License-Identifier: MIT
/* GitHub's step summary (step_summary.h). */
#include "step_summary.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "msg.h"
#include "strbuf.h"
#include "banned.h"

const char *step_summary_path(void)
{
	const char *p = getenv("GITHUB_STEP_SUMMARY");
	return p && *p ? p : NULL;
}

/* The fence that opens or closes a code block at the start of line (up to
 * end): its run of ` or ~ (3 or more), in *n; 0 when it is none. */
static char fence_of(const char *line, const char *end, size_t *n)
{
	const char *p = line;
	char c;
	while (p < end && p - line < 3 && *p == ' ')
		p++;
	if (p >= end || (*p != '`' && *p != '~'))
		return 0;
	c = *p;
	for (*n = 0; p < end && *p == c; p++)
		(*n)++;
	return *n >= 3 ? c : 0;
}

/* The fence a code block open at the end of text[0, len) needs to close
 * ("```" and the like), appended to sb; nothing when none is open. */
static void close_fence(struct strbuf *sb, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	char open = 0;
	size_t open_n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t n;
		char c = fence_of(p, eol, &n);
		if (c && !open) {
			open = c;
			open_n = n;
		} else if (c && c == open && n >= open_n) {
			open = 0;
		}
		p = nl ? nl + 1 : end;
	}
	while (open && open_n--)
		strbuf_addch(sb, open);
	if (sb->len)
		strbuf_addch(sb, '\n');
}

int step_summary_append_text(const char *path, const char *text, size_t len,
			     const char *artifact, size_t limit)
{
	struct strbuf out = STRBUF_INIT, note = STRBUF_INIT;
	struct stat st;
	size_t have = 0, budget, off = 0;
	int fd, rc = 0;

	if (!stat(path, &st) && st.st_size > 0)
		have = (size_t)st.st_size;
	budget = have < limit ? limit - have : 0;
	if (have)
		strbuf_addch(&out, '\n'); /* apart from what an earlier step wrote */
	if (out.len + len <= budget) {
		strbuf_add(&out, text, len);
	} else {
		struct strbuf fence = STRBUF_INIT;
		size_t keep = 0, room;
		const char *nl;
		strbuf_addf(&note, "\n> \xe2\x80\xa6 trimmed: the full summary is in the artifact, %s\n",
			    artifact);
		room = budget > out.len + note.len + 16 ? budget - out.len - note.len - 16 : 0;
		/* the longest run of whole lines that fits, leaving room for a
		 * fence that closes a code block it cut */
		for (;;) {
			nl = keep < len ? memchr(text + keep, '\n', len - keep) : NULL;
			if (!nl || (size_t)(nl + 1 - text) > room)
				break;
			keep = (size_t)(nl + 1 - text);
		}
		if (budget < out.len + note.len) {
			warning("the step summary '%s' is full (GitHub takes %zu bytes a step): "
				"the summary is in the artifact, %s", path, limit, artifact);
			strbuf_release(&out);
			strbuf_release(&note);
			return 0;
		}
		strbuf_add(&out, text, keep);
		close_fence(&fence, text, keep);
		strbuf_add(&out, fence.buf, fence.len);
		strbuf_add(&out, note.buf, note.len);
		strbuf_release(&fence);
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		warning("cannot write the step summary '%s': %s", path, strerror(errno));
		rc = -1;
	}
	while (fd >= 0 && off < out.len) {
		ssize_t w = write(fd, out.buf + off, out.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			warning("cannot write the step summary '%s': %s", path,
				strerror(w < 0 ? errno : ENOSPC));
			rc = -1;
			break;
		}
		off += (size_t)w;
	}
	if (fd >= 0 && close(fd) && !rc) {
		warning("cannot write the step summary '%s': %s", path, strerror(errno));
		rc = -1;
	}
	strbuf_release(&out);
	strbuf_release(&note);
	return rc;
}

int step_summary_append(const char *path, const char *md_path, const char *artifact)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	int rc;
	FILE *fp = fopen(md_path, "rb");
	if (!fp) {
		warning("cannot read '%s' for the step summary: %s", md_path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	rc = step_summary_append_text(path, sb.buf, sb.len, artifact, STEP_SUMMARY_LIMIT);
	strbuf_release(&sb);
	return rc;
}
