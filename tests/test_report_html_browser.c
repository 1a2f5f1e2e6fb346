// SPDX-License-Identifier: MIT
/*
 * report.html in a real browser: Chromium, headless, offline (every host
 * name resolves to nothing), on the rich run of tests/report_html_fixture.c.
 *
 *   - the page loads without a console error ("Uncaught ...") and without a
 *     network request (a "net::ERR_" in the log);
 *   - its DOM, after the script ran, has a card per model and every sortable
 *     table marked ready; a copy of the page with a probe script appended
 *     clicks every header of every sortable table twice, and checks that a
 *     click on "decode tok/s" sorts the trials by number;
 *   - a 1280x2000 screenshot is a PNG of that size and not blank (a blank
 *     page compresses to about 12 kB; the dashboard to hundreds).
 *
 * Exit 77 (skipped) where no browser is installed: Debian's package
 * `chromium` (/usr/bin/chromium), or the binary named by O3_CHROMIUM.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report_html_fixture.h"
#include "strbuf.h"
#include "banned.h"
#include "test_files.h"

#define SKIP 77

static char tmp[64];
static int failures;

#define CHECK(cond, ...) do { if (!(cond)) { failures++; fprintf(stderr, "FAIL: " __VA_ARGS__); \
	fputc('\n', stderr); } } while (0)

/* The probe: run after the page's own script, it clicks every header of
 * every sortable table twice and says what it found in data-o3-probe. */
static const char probe[] =
	"<script>\n"
	"(function(){var out='ok';try{\n"
	" var ths=document.querySelectorAll('table.sortable thead th');\n"
	" for(var i=0;i<ths.length;i++){ths[i].click();ths[i].click();}\n"
	" var t=document.querySelector('table.trials');var head=t.tHead.rows[0].cells,col=-1;\n"
	" for(var j=0;j<head.length;j++)if(head[j].textContent==='decode tok/s')col=j;\n"
	" head[col].click();if(head[col].getAttribute('aria-sort')!=='ascending')head[col].click();\n"
	" var v=Array.prototype.map.call(t.tBodies[0].rows,function(r){return Number(r.cells[col].textContent);});\n"
	" for(var k=1;k<v.length;k++)if(v[k-1]>v[k])out='not sorted: '+v.join(' ');\n"
	" if(ths.length<10)out='only '+ths.length+' headers';\n"
	"}catch(e){out='threw: '+e;}\n"
	"document.body.setAttribute('data-o3-probe',out);})();\n"
	"</script>\n";

static const char *chromium(void)
{
	static const char *const where[] = { "/usr/bin/chromium", "/usr/bin/chromium-browser", NULL };
	const char *env = getenv("O3_CHROMIUM");
	size_t i;
	if (env && *env)
		return access(env, X_OK) ? NULL : env;
	for (i = 0; where[i]; i++)
		if (!access(where[i], X_OK))
			return where[i];
	return NULL;
}

/* Run the browser on url with extra (NULL-terminated) arguments; its
 * stdout and stderr into out and err (malloced). The exit status, or -1
 * when it ran past 60 s (killed). */
static int browse(const char *bin, const char *url, const char *const *extra, char **out, char **err)
{
	char profile[128], outp[128], errp[128], ua[160];
	const char *argv[24];
	size_t n = 0;
	int status, fd, waited;
	pid_t pid;

	snprintf(profile, sizeof(profile), "--user-data-dir=%s/profile", tmp);
	snprintf(outp, sizeof(outp), "%s/stdout", tmp);
	snprintf(errp, sizeof(errp), "%s/stderr", tmp);
	snprintf(ua, sizeof(ua), "--crash-dumps-dir=%s/crashes", tmp);
	argv[n++] = bin;
	argv[n++] = "--headless=new";
	argv[n++] = "--no-sandbox";
	argv[n++] = "--disable-gpu";
	argv[n++] = profile;
	argv[n++] = ua;
	argv[n++] = "--virtual-time-budget=2000";
	argv[n++] = "--enable-logging=stderr";
	argv[n++] = "--v=0";
	/* offline: no host name resolves, no proxy, nothing in the background */
	argv[n++] = "--host-resolver-rules=MAP * ~NOTFOUND";
	argv[n++] = "--no-proxy-server";
	argv[n++] = "--disable-background-networking";
	argv[n++] = "--no-first-run";
	while (*extra)
		argv[n++] = *extra++;
	argv[n++] = url;
	argv[n] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		close(fd);
		fd = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		close(fd);
		setpgid(0, 0); /* its children go with it if it must be killed */
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	setpgid(pid, pid);
	for (waited = 0; waited < 600; waited++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		nanosleep(&ts, NULL);
	}
	if (waited == 600) {
		kill(-pid, SIGKILL);
		waitpid(pid, &status, 0);
		status = -1;
	}
	*out = html_fixture_slurp(outp, NULL);
	*err = html_fixture_slurp(errp, NULL);
	if (!*out)
		*out = strdup("");
	if (!*err)
		*err = strdup("");
	return status < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/* No console error and no attempt at the network in the browser's log. */
static void clean_log(const char *what, const char *err)
{
	CHECK(!strstr(err, "Uncaught"), "%s: a script error:\n%s", what, err);
	CHECK(!strstr(err, ":CONSOLE"), "%s: the console said something:\n%s", what, err);
	CHECK(!strstr(err, "net::ERR_"), "%s: a network request:\n%s", what, err);
}

static unsigned be32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

int main(void)
{
	const char *bin = chromium();
	cJSON *in;
	char url[256], path[256], *html, *out, *err, *png;
	size_t len, pnglen;
	int rc, models;
	FILE *fp;

	if (!bin) {
		printf("SKIP: no chromium (Debian: apt-get install chromium; or set O3_CHROMIUM)\n");
		return SKIP;
	}
	snprintf(tmp, sizeof(tmp), "/tmp/o3-browser-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	in = html_fixture();
	if (!in || html_fixture_write(in, tmp)) {
		fprintf(stderr, "cannot write the report\n");
		return 1;
	}
	models = cJSON_GetArraySize(cJSON_GetObjectItem(in, "models"));
	cJSON_Delete(in);

	/* the page's DOM after its script ran */
	snprintf(url, sizeof(url), "file://%s/report.html", tmp);
	{
		const char *const extra[] = { "--dump-dom", NULL };
		rc = browse(bin, url, extra, &out, &err);
	}
	CHECK(rc == 0, "--dump-dom: exit %d:\n%s", rc, err);
	clean_log("report.html", err);
	CHECK(count(out, "class=\"card model\"") == models, "%d model cards, not %d",
	      count(out, "class=\"card model\""), models);
	CHECK(count(out, "data-sortable=\"ready\"") == count(out, "<table class=\"sortable") &&
	      count(out, "data-sortable=\"ready\"") >= 4,
	      "the script marked %d of %d sortable tables", count(out, "data-sortable=\"ready\""),
	      count(out, "<table class=\"sortable"));
	free(out);
	free(err);

	/* a copy with the probe: every header clicked, numbers sorted */
	snprintf(path, sizeof(path), "%s/report.html", tmp);
	html = html_fixture_slurp(path, &len);
	snprintf(path, sizeof(path), "%s/probe.html", tmp);
	fp = fopen(path, "wb");
	if (!html || !fp || !strstr(html, "</body>")) {
		fprintf(stderr, "cannot write %s\n", path);
		return 1;
	}
	fwrite(html, 1, (size_t)(strstr(html, "</body>") - html), fp);
	fputs(probe, fp);
	fputs(strstr(html, "</body>"), fp);
	fclose(fp);
	free(html);
	snprintf(url, sizeof(url), "file://%s/probe.html", tmp);
	{
		const char *const extra[] = { "--dump-dom", NULL };
		rc = browse(bin, url, extra, &out, &err);
	}
	CHECK(rc == 0, "probe: exit %d:\n%s", rc, err);
	clean_log("probe.html", err);
	CHECK(strstr(out, "data-o3-probe=\"ok\"") != NULL, "the probe says: %.200s",
	      strstr(out, "data-o3-probe=") ? strstr(out, "data-o3-probe=") : "nothing");
	free(out);
	free(err);

	/* the screenshot */
	snprintf(url, sizeof(url), "file://%s/report.html", tmp);
	snprintf(path, sizeof(path), "--screenshot=%s/shot.png", tmp);
	{
		const char *const extra[] = { path, "--window-size=1280,2000", "--hide-scrollbars", NULL };
		rc = browse(bin, url, extra, &out, &err);
	}
	CHECK(rc == 0, "--screenshot: exit %d:\n%s", rc, err);
	clean_log("screenshot", err);
	snprintf(path, sizeof(path), "%s/shot.png", tmp);
	png = html_fixture_slurp(path, &pnglen);
	CHECK(png && pnglen > 33 && !memcmp(png, "\x89PNG\r\n\x1a\n", 8) && !memcmp(png + 12, "IHDR", 4),
	      "the screenshot is not a PNG (%zu bytes)", png ? pnglen : 0);
	if (png && pnglen > 33) {
		CHECK(be32((unsigned char *)png + 16) == 1280 && be32((unsigned char *)png + 20) == 2000,
		      "the screenshot is %ux%u", be32((unsigned char *)png + 16),
		      be32((unsigned char *)png + 20));
		CHECK(pnglen > 40000, "the screenshot looks blank (%zu bytes)", pnglen);
	}
	free(png);
	free(out);
	free(err);
	if (failures)
		fprintf(stderr, "the browser's files are in %s\n", tmp);
	else
		test_rm_rf(tmp);
	printf("%s: %d failure%s\n", bin, failures, failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
