/* SPDX-License-Identifier: MIT */
#ifndef O3_UTIL_H
#define O3_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* Allocation that aborts on out-of-memory (acceptable in a CLI). */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#define FREE_AND_NULL(p) do { free(p); (p) = NULL; } while (0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Copy src into dst of size dstlen, always NUL-terminated; returns strlen(src). */
size_t o3_strlcpy(char *dst, const char *src, size_t dstlen);

/* Strict number parsing: the whole string must be a number. 0 on success. */
int o3_parse_long(const char *s, long *out);
int o3_parse_double(const char *s, double *out);

/* Levenshtein distance, for "did you mean" suggestions. */
size_t o3_edit_distance(const char *a, const char *b);
/* The candidate closest to word, or NULL when none is close enough. */
const char *o3_nearest(const char *word, const char *const *candidates, size_t n);

/* A file-system-safe name for a model ("qwen3-coder:30b" -> "qwen3-coder_30b"). */
void o3_model_slug(const char *model, char *out, size_t outlen);

/* ---- text from elsewhere (model names, server messages) ---- */
struct cJSON;
/* The UTF-8 character at s: its length (0 at the end or where s is not
 * valid UTF-8) and *cp its code point. */
size_t o3_utf8_char(const char *s, unsigned *cp);
/* s as valid UTF-8 (each invalid byte U+FFFD); with terminal, no control
 * character either (tab, CR and LF become a space, the others are dropped).
 * Malloced; "" for NULL. */
char *o3_text_clean(const char *s, int terminal);
/* 1 when every key and string of item (and below) is valid UTF-8. */
int o3_json_utf8_valid(const struct cJSON *item);
/* Make every key and string of item (and below) valid UTF-8 (as o3_text_clean). */
void o3_json_utf8_clean(struct cJSON *item);

#endif
