/* SPDX-License-Identifier: MIT */
#ifndef O3_TEST_MONITOR_UTIL_H
#define O3_TEST_MONITOR_UTIL_H
/* Helpers shared by the monitor's tests: fixture paths, scratch trees,
 * reading figures out of the monitor's cJSON. All static. */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "monitor.h"

/* A library name that never loads, so the real NVML of a test machine
 * stays out of tests that are not about NVIDIA. */
#define NO_NVML "o3-test-no-such-libnvidia-ml.so"

static inline const char *src_root(void)
{
	const char *r = getenv("O3_SOURCE_ROOT");
	ck_assert_msg(r != NULL, "O3_SOURCE_ROOT is not set (run through meson test)");
	return r;
}

static inline void fixture(char *out, size_t len, const char *kind, const char *machine)
{
	snprintf(out, len, "%s/fixtures/%s/%s", src_root(), kind, machine);
}

static inline void mkdirs(const char *path)
{
	char tmp[1024], *p;
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	mkdir(tmp, 0755);
}

/* Write root/rel (creating directories), atomically as the simulator does. */
static inline void put(const char *root, const char *rel, const char *content)
{
	char path[1024], tmp[1100], *slash;
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	ck_assert_msg(f != NULL, "cannot write %s", tmp);
	fputs(content, f);
	fclose(f);
	ck_assert_int_eq(rename(tmp, path), 0);
}

/* Write binary-safe content of len bytes (cmdline holds NULs). */
static inline void put_bytes(const char *root, const char *rel, const char *content, size_t len)
{
	char path[1024], *slash;
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	mkdirs(path);
	*slash = '/';
	f = fopen(path, "w");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	fwrite(content, 1, len, f);
	fclose(f);
}

static inline void drop(const char *root, const char *rel)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
}

static inline int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(p);
}

static inline void scratch_new(char *out, size_t len)
{
	const char *t = getenv("TMPDIR");
	snprintf(out, len, "%s/o3-mon-XXXXXX", t && *t ? t : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(out));
}

static inline void scratch_free(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The item at a path like "devices/0/memory/pct"; NULL when absent. */
static inline const cJSON *jget(const cJSON *root, const char *path)
{
	char buf[256], *tok, *save = NULL;
	const cJSON *cur = root;
	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, "/", &save); tok && cur; tok = strtok_r(NULL, "/", &save)) {
		if (cJSON_IsArray(cur))
			cur = cJSON_GetArrayItem(cur, atoi(tok));
		else
			cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
	}
	return cur;
}

static inline double jnum(const cJSON *root, const char *path)
{
	const cJSON *v = jget(root, path);
	ck_assert_msg(cJSON_IsNumber(v), "'%s' is not a number (absent?)", path);
	return v->valuedouble;
}

static inline const char *jstr(const cJSON *root, const char *path)
{
	const cJSON *v = jget(root, path);
	ck_assert_msg(cJSON_IsString(v), "'%s' is not a string (absent?)", path);
	return v->valuestring;
}

/* A monitor over the given roots, no server, NVML from nvml (NULL = none). */
static inline struct monitor *mon_over(const char *sysfs, const char *procfs, const char *nvml)
{
	struct monitor_settings s;
	monitor_settings_default(&s);
	s.sysfs_root = sysfs;
	s.procfs_root = procfs;
	s.nvml_library = nvml ? nvml : NO_NVML;
	return monitor_new(&s);
}

/* The output of monitor_list_backends as a malloced string. */
static inline char *backends_text(struct monitor *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	monitor_list_backends(m, f);
	fclose(f);
	return buf;
}

static inline int run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
