/* SPDX-License-Identifier: MIT */
#ifndef O3_MSG_H
#define O3_MSG_H
/*
 * Messages to the user, git style: "o3: error: what went wrong".
 * Lowercase, no full stop, quote the subject. All go to stderr.
 */
enum msg_level { MSG_QUIET = 0, MSG_NORMAL = 1, MSG_VERBOSE = 2 };

/* Set once by main from --quiet/--verbose. */
void msg_set_level(enum msg_level level);
enum msg_level msg_get_level(void);
/* fn(data) runs before every message is printed (NULL: nothing): o3 run
 * clears its progress line with it, so that no message runs into it. */
void msg_set_before(void (*fn)(void *data), void *data);

void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
