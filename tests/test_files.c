// SPDX-License-Identifier: MIT
#include "test_files.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"
#include "banned.h"

char *test_slurp(const char *path, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	size_t n;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	return strbuf_detach(&sb, len);
}

void test_rm_rf(const char *path)
{
	struct stat st;
	DIR *dp;
	struct dirent *de;
	char sub[8192];
	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode) && (dp = opendir(path))) {
		while ((de = readdir(dp)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
				test_rm_rf(sub);
			}
		closedir(dp);
		rmdir(path);
	} else {
		unlink(path);
	}
}
