// SPDX-License-Identifier: MIT
/*
 * o3 merge end to end: two simulated machines (o3 run of suites/smoke.yaml
 * against o3-sim as a Strix Halo 64 GB and as a Radeon RX 7900 XTX, each
 * with its own fake sysfs and procfs, made once for every test) merged into
 * one report whose every column holds that machine's own figures (its own
 * summary.json's), named and marked SIMULATED; results of different suites
 * refused (exit 3) and merged with --force; a folder that is no results
 * folder, or whose log is corrupt, refused with its name (exit 3); two
 * folders with one label refused (exit 2) until --name tells them apart; a
 * hostile model name escaped in Markdown and HTML; a folder without its
 * environment snapshot named by its models' identities.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "report_internal.h"
#include "run_fixture.h"
#include "sim_process.h"
#include "strbuf.h"

static char base[64] = "";
static char made[2][200];  /* the two machines' results folders */
static char failed[4096];  /* why the fixture could not make them, or "" */
static const char *const profiles[2] = { "strix-halo-64g", "rx7900xtx-24g" };

/* the hostile name as JSON writes it, and as it is */
#define EVIL_JSON "<script>alert(1)</script>|*x*_[y]\\u001b[2J `z`"
#define EVIL "<script>alert(1)</script>|*x*_[y]\x1b[2J `z`"

static void shell(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
}

/* One machine: o3-sim as profile, o3 run of the smoke suite against it.
 * 0, or -1 with why in failed. */
static int make_machine(int i)
{
	char sys[300], proc[300], cmd[700], *out = NULL, *err = NULL;
	const char *sim_args[] = { "--time-scale", "0.002", "--profile", profiles[i], "--sysfs-root",
				   sys, "--procfs-root", proc, NULL };
	const char *run_args[] = { "--sysfs-root", sys, "--procfs-root", proc, NULL };
	int rc;
	snprintf(sys, sizeof(sys), "%s/fs-%d/sys", base, i);
	snprintf(proc, sizeof(proc), "%s/fs-%d/proc", base, i);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s' '%s'", sys, proc);
	snprintf(made[i], sizeof(made[i]), "%s/%s", base, profiles[i]);
	if (system(cmd) || sim_start(&sim, sim_args, NULL)) {
		snprintf(failed, sizeof(failed), "cannot start %s", sim_binary());
		return -1;
	}
	snprintf(host_env, sizeof(host_env), "OLLAMA_HOST=%s", sim.host);
	rc = o3_run_at("suites/smoke.yaml", made[i], "0.002", run_args, &out, &err);
	sim_stop(&sim);
	if (rc)
		snprintf(failed, sizeof(failed), "o3 run as %s: exit %d: %s%s", profiles[i], rc,
			 out ? out : "", err ? err : "");
	free(out);
	free(err);
	return rc ? -1 : 0;
}

static void machines_up(void)
{
	snprintf(base, sizeof(base), "/tmp/o3-merge-sim-XXXXXX");
	failed[0] = '\0';
	if (!mkdtemp(base)) {
		snprintf(failed, sizeof(failed), "cannot make a temporary folder");
		return;
	}
	{
		/* both at once: a run mostly waits for its simulator */
		pid_t pid = fork();
		int status = 0;
		if (pid == 0) {
			if (make_machine(1))
				fprintf(stderr, "%s\n", failed);
			_exit(failed[0] ? 1 : 0);
		}
		make_machine(0);
		snprintf(made[1], sizeof(made[1]), "%s/%s", base, profiles[1]);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			if (!failed[0])
				snprintf(failed, sizeof(failed), "o3 run as %s failed (see above)",
					 profiles[1]);
	}
}

static void machines_down(void)
{
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (base[0] && system(cmd))
		fprintf(stderr, "cannot remove %s\n", base);
}

static void ready(void)
{
	ck_assert_msg(!failed[0], "%s", failed);
}

/* o3 [args...] (NULL-ended), offline. */
static int o3(const char *const *args, char **out, char **err)
{
	char exe[1024];
	const char *argv[24];
	const char *env[] = { "OLLAMA_HOST=127.0.0.1:9", NULL };
	int n = 0;
	snprintf(exe, sizeof(exe), "%s/o3", root("O3_BUILD_ROOT"));
	argv[n++] = exe;
	for (; *args && n < 23; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return run_capture(argv, env, out, err);
}

static cJSON *json_file(const char *dir, const char *rel)
{
	char path[600], *text;
	cJSON *doc;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	text = slurp(path);
	doc = cJSON_Parse(text);
	ck_assert_msg(doc != NULL, "%s does not parse", path);
	free(text);
	return doc;
}

static char *text_file(const char *dir, const char *rel)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return slurp(path);
}

/* Replace every from with to in the lines of path that hold marker (or in
 * every line but those, when except). */
static void edit_log(const char *path, const char *marker, int except, const char *from,
		     const char *to)
{
	FILE *fp = fopen(path, "r");
	struct strbuf sb = STRBUF_INIT;
	char *line = NULL;
	size_t cap = 0;
	int edits = 0;
	ck_assert_ptr_nonnull(fp);
	while (getline(&line, &cap, fp) > 0) {
		const char *p = line, *hit;
		if ((strstr(line, marker) != NULL) == except) {
			strbuf_addstr(&sb, line);
			continue;
		}
		while ((hit = strstr(p, from))) {
			strbuf_add(&sb, p, (size_t)(hit - p));
			strbuf_addstr(&sb, to);
			p = hit + strlen(from);
			edits++;
		}
		strbuf_addstr(&sb, p);
	}
	free(line);
	fclose(fp);
	ck_assert_msg(edits > 0, "nothing to edit in %s", path);
	fp = fopen(path, "w");
	ck_assert_ptr_nonnull(fp);
	fwrite(sb.buf, 1, sb.len, fp);
	fclose(fp);
	strbuf_release(&sb);
}

/* A copy of machine i's results folder at base/name. */
static void copy_machine(int i, const char *name, char *out, size_t len)
{
	char cmd[700];
	snprintf(out, len, "%s/%s", base, name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p \"$(dirname '%s')\" && cp -r '%s' '%s'",
		 out, out, made[i], out);
	shell(cmd);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The merged row of a model. */
static const cJSON *merged_row(const cJSON *doc, const char *model)
{
	const cJSON *row;
	cJSON_ArrayForEach(row, get(doc, "models"))
		if (!strcmp(get(row, "model")->valuestring, model))
			return row;
	ck_abort_msg("no merged row of %s", model);
	return NULL;
}

START_TEST(test_two_machines_one_report)
{
	char out[300], *md, *html, *csv, *p, label[2][64];
	const char *args[] = { "merge", "--out", out, made[0], made[1], NULL };
	cJSON *doc, *own[2];
	const cJSON *m, *mj;
	int rc, i, lines = 0;
	char *so, *se;
	ready();
	snprintf(out, sizeof(out), "%s/merged", base);
	rc = o3(args, &so, &se);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, so, se);
	ck_assert_msg(strstr(se, "merged 2 results folders into"), "%s", se);
	free(so);
	free(se);
	doc = json_file(out, "summary.json");
	ck_assert(cJSON_IsTrue(get(doc, "simulated")));
	ck_assert(cJSON_IsFalse(get(doc, "suites_differ")));
	for (i = 0; i < 2; i++) {
		char want[64];
		mj = cJSON_GetArrayItem(get(doc, "machines"), i);
		snprintf(label[i], sizeof(label[i]), "%s", profiles[i]); /* the folder's base name */
		ck_assert_str_eq(get(mj, "label")->valuestring, label[i]);
		ck_assert(cJSON_IsTrue(get(mj, "simulated")));
		snprintf(want, sizeof(want), "profile=%s", profiles[i]);
		ck_assert_msg(strstr(get(mj, "simulator")->valuestring, want), "%s",
			      get(mj, "simulator")->valuestring);
		ck_assert_ptr_nonnull(get(get(mj, "machine"), "gpu"));
		/* each model's entry of machine i is that machine's own summary */
		own[i] = json_file(made[i], "summaries/summary.json");
		ck_assert_int_eq(cJSON_GetArraySize(get(own[i], "models")), 2);
		cJSON_ArrayForEach(m, get(own[i], "models")) {
			const cJSON *e = cJSON_GetArrayItem(get(merged_row(doc, get(m, "model")->valuestring),
								"machines"), i);
			ck_assert_str_eq(get(e, "machine")->valuestring, label[i]);
			ck_assert_msg(cJSON_Compare(get(e, "key_figures"), get(m, "key_figures"), 1),
				      "%s on %s: the merged figures are not its own",
				      get(m, "model")->valuestring, label[i]);
			ck_assert_str_eq(get(e, "verdict")->valuestring, get(m, "verdict")->valuestring);
		}
	}
	/* the machines measured different figures, so a swapped column shows */
	ck_assert(!cJSON_Compare(get(cJSON_GetArrayItem(get(own[0], "models"), 0), "key_figures"),
				 get(cJSON_GetArrayItem(get(own[1], "models"), 0), "key_figures"), 1));

	md = text_file(out, "summary.md");
	ck_assert_ptr_nonnull(strstr(md, "| figure | strix-halo-64g (SIMULATED) | rx7900xtx-24g "
				      "(SIMULATED) |"));
	ck_assert_ptr_nonnull(strstr(md, "**SIMULATED RESULTS.** 2 of the 2 machines"));
	ck_assert_ptr_nonnull(strstr(md, "SIMULATED by o3-sim; profile=rx7900xtx-24g"));
	cJSON_ArrayForEach(m, get(own[0], "models")) {
		/* the model's row of max_ctx decode: machine 0's, then machine 1's */
		const char *name = get(m, "model")->valuestring;
		const cJSON *m1 = NULL, *x;
		char want[200], *sec;
		cJSON_ArrayForEach(x, get(own[1], "models"))
			if (!strcmp(get(x, "model")->valuestring, name))
				m1 = x;
		ck_assert_ptr_nonnull(m1);
		snprintf(want, sizeof(want), "## %s\n", name);
		sec = strstr(md, want);
		ck_assert_msg(sec != NULL, "no section %s", name);
		snprintf(want, sizeof(want), "| max_ctx decode tok/s | %.1f | %.1f |",
			 get(get(get(get(m, "key_figures"), "presets"), "max_ctx"), "decode_tps")->valuedouble,
			 get(get(get(get(m1, "key_figures"), "presets"), "max_ctx"), "decode_tps")->valuedouble);
		ck_assert_msg(strstr(sec, want), "no row %s in\n%s", want, sec);
		snprintf(want, sizeof(want), "| loads up to (tokens) | %.0f | %.0f |",
			 get(get(get(m, "key_figures"), "ceiling"), "loads_up_to")->valuedouble,
			 get(get(get(m1, "key_figures"), "ceiling"), "loads_up_to")->valuedouble);
		ck_assert_msg(strstr(sec, want), "no row %s in\n%s", want, sec);
	}
	free(md);

	/* HTML: well formed to libxml2's parser, a card per model, the machines
	 * at the head of each table */
	html = text_file(out, "report.html");
	{
		htmlDocPtr h = htmlReadMemory(html, (int)strlen(html), "report.html", "UTF-8",
					      HTML_PARSE_NONET | HTML_PARSE_NOERROR |
					      HTML_PARSE_NOWARNING);
		ck_assert_ptr_nonnull(h);
		ck_assert_ptr_nonnull(xmlDocGetRootElement(h));
		xmlFreeDoc(h);
	}
	ck_assert_ptr_nonnull(strstr(html, "<section class=\"card model\" id=\"model-2\">"));
	ck_assert_ptr_nonnull(strstr(html, "rx7900xtx-24g <span class=\"warn\">SIMULATED</span></th>"));
	ck_assert_ptr_nonnull(strstr(html, "SIMULATED RESULTS. 2 of the 2 machines"));
	free(html);

	/* CSV: a row per model and machine, each naming its machine */
	csv = text_file(out, "summary.csv");
	for (p = csv; (p = strstr(p, "\r\n")); p += 2) {
		/* after the k-th line end: row k + 1, of machine k % 2 */
		ck_assert_msg(!p[2] || (!strncmp(p + 2, label[lines % 2], strlen(label[lines % 2])) &&
					p[2 + strlen(label[lines % 2])] == ','),
			      "row %d: %.40s", lines + 1, p + 2);
		lines++;
	}
	ck_assert_int_eq(lines, 1 + 2 * 2);
	free(csv);
	cJSON_Delete(own[0]);
	cJSON_Delete(own[1]);
	cJSON_Delete(doc);
}
END_TEST

START_TEST(test_different_suites)
{
	char other[300], out[300], *so, *se, *md;
	const char *args[] = { "merge", "--out", out, made[0], other, NULL };
	const char *forced[] = { "merge", "--force", "--out", out, made[0], other, NULL };
	char log[400];
	cJSON *doc;
	int rc;
	ready();
	snprintf(out, sizeof(out), "%s/merged-suites", base);
	copy_machine(1, "other", other, sizeof(other));
	snprintf(log, sizeof(log), "%s/logs/run.jsonl", other);
	edit_log(log, "\"phase\":\"run\"", 0, "name: smoke\\n", "name: other\\n");
	rc = o3(args, &so, &se);
	ck_assert_msg(rc == 3, "exit %d: %s%s", rc, so, se);
	ck_assert_msg(strstr(se, made[0]) && strstr(se, other) && strstr(se, "the suite 'smoke'") &&
		      strstr(se, "the suite 'other'") && strstr(se, "--force"), "%s", se);
	ck_assert_int_eq(access(out, F_OK), -1); /* nothing written */
	free(so);
	free(se);
	rc = o3(forced, &so, &se);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, so, se);
	ck_assert_msg(strstr(se, "merged all the same (--force)"), "%s", se);
	free(so);
	free(se);
	doc = json_file(out, "summary.json");
	ck_assert(cJSON_IsTrue(get(doc, "suites_differ")));
	cJSON_Delete(doc);
	md = text_file(out, "summary.md");
	ck_assert_msg(strstr(md, "**THE SUITES DIFFER** (merged with --force): strix-halo-64g ran smoke; "
			     "other ran other."), "%s", md);
	free(md);

	/* the same name, another text: refused too */
	copy_machine(1, "other", other, sizeof(other));
	edit_log(log, "\"phase\":\"run\"", 0, "num_predict: 16", "num_predict: 17");
	rc = o3(args, &so, &se);
	ck_assert_msg(rc == 3, "exit %d: %s%s", rc, so, se);
	ck_assert_msg(strstr(se, "ran different texts of the suite 'smoke'"), "%s", se);
	free(so);
	free(se);
}
END_TEST

/* What is not a results folder, or holds a corrupt log: exit 3 naming it. */
START_TEST(test_bad_folders)
{
	char bad[300], path[400], *so, *se;
	const char *args[] = { "merge", "--out", path, made[0], bad, NULL };
	FILE *fp;
	int rc;
	ready();
	snprintf(path, sizeof(path), "%s/merged-bad", base);
	snprintf(bad, sizeof(bad), "%s/no-such-folder", base);
	rc = o3(args, &so, &se);
	ck_assert_msg(rc == 3 && strstr(se, bad) && strstr(se, "is not a results folder"), "%d %s",
		      rc, se);
	free(so);
	free(se);
	/* a folder without a log */
	snprintf(bad, sizeof(bad), "%s/empty", base);
	ck_assert_int_eq(mkdir(bad, 0700), 0);
	rc = o3(args, &so, &se);
	ck_assert_msg(rc == 3 && strstr(se, bad) && strstr(se, "has no logs/run.jsonl"), "%d %s", rc,
		      se);
	free(so);
	free(se);
	/* a log that is not one */
	snprintf(path, sizeof(path), "%s/logs", bad);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/logs/run.jsonl", bad);
	fp = fopen(path, "w");
	fputs("\x01\x02 not JSON\n{\"truncated\": \n", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/merged-bad", base);
	rc = o3(args, &so, &se);
	ck_assert_msg(rc == 3 && strstr(se, "/empty/logs/run.jsonl' records no run of o3 run"),
		      "%d %s", rc, se);
	free(so);
	free(se);
	ck_assert_int_eq(access(path, F_OK), -1); /* nothing written */
}
END_TEST

START_TEST(test_labels)
{
	char a[300], b[300], out[300], na[400], nb[400], *so, *se;
	const char *args[] = { "merge", "--out", out, a, b, NULL };
	const char *named[] = { "merge", "--out", out, "--name", na, "--name", nb, a, b, NULL };
	const char *stray[] = { "merge", "--out", out, "--name", "x=elsewhere", a, NULL };
	const char *onto[] = { "merge", "--out", a, a, NULL };
	const char *twice[] = { "merge", "--out", out, a, na, NULL };
	cJSON *doc;
	int rc;
	ready();
	snprintf(out, sizeof(out), "%s/merged-labels", base);
	copy_machine(0, "one/o3_results", a, sizeof(a));
	copy_machine(1, "two/o3_results/", b, sizeof(b));
	rc = o3(args, &so, &se);
	ck_assert_msg(rc == 2 && strstr(se, a) && strstr(se, b) &&
		      strstr(se, "the same label 'o3_results'") && strstr(se, "--name"), "%d %s", rc, se);
	free(so);
	free(se);
	snprintf(na, sizeof(na), "halo=%s", a);
	snprintf(nb, sizeof(nb), "radeon=%s/", b); /* the same folder, spelt otherwise */
	rc = o3(named, &so, &se);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, so, se);
	free(so);
	free(se);
	doc = json_file(out, "summary.json");
	ck_assert_str_eq(get(cJSON_GetArrayItem(get(doc, "machines"), 0), "label")->valuestring, "halo");
	ck_assert_str_eq(get(cJSON_GetArrayItem(get(doc, "machines"), 1), "label")->valuestring,
			 "radeon");
	cJSON_Delete(doc);
	rc = o3(stray, &so, &se);
	ck_assert_msg(rc == 2 && strstr(se, "'elsewhere' is not among the results folders"), "%d %s",
		      rc, se);
	free(so);
	free(se);
	rc = o3(onto, &so, &se);
	ck_assert_msg(rc == 2 && strstr(se, "is one of the results folders"), "%d %s", rc, se);
	free(so);
	free(se);
	snprintf(na, sizeof(na), "%s/", a);
	rc = o3(twice, &so, &se);
	ck_assert_msg(rc == 2 && strstr(se, "is given twice"), "%d %s", rc, se);
	free(so);
	free(se);
}
END_TEST

/* A model whose name is markup, a control character and backticks. */
START_TEST(test_hostile_model_name)
{
	char evil[300], out[300], log[400], *md, *html, *so, *se;
	const char *args[] = { "merge", "--out", out, made[0], evil, NULL };
	struct strbuf want = STRBUF_INIT;
	cJSON *doc;
	const cJSON *row;
	int rc;
	ready();
	snprintf(out, sizeof(out), "%s/merged-evil", base);
	copy_machine(1, "evil", evil, sizeof(evil));
	snprintf(log, sizeof(log), "%s/logs/run.jsonl", evil);
	edit_log(log, "\"phase\":\"run\"", 1, "liquid-rag:latest", EVIL_JSON);
	/* and no environment snapshot: the models' identities name the machine */
	snprintf(log, sizeof(log), "rm -r '%s/env'", evil);
	shell(log);
	rc = o3(args, &so, &se);
	ck_assert_msg(rc == 0, "exit %d: %s%s", rc, so, se);
	free(so);
	free(se);
	doc = json_file(out, "summary.json");
	ck_assert(cJSON_IsTrue(get(cJSON_GetArrayItem(get(doc, "machines"), 1), "simulated")));
	ck_assert_msg(strstr(get(cJSON_GetArrayItem(get(doc, "machines"), 1), "simulator")->valuestring,
			     "profile=rx7900xtx-24g"), "the machine without env/ is not named");
	row = merged_row(doc, EVIL);
	ck_assert(cJSON_IsTrue(get(cJSON_GetArrayItem(get(row, "machines"), 1), "measured")));
	ck_assert(cJSON_IsFalse(get(cJSON_GetArrayItem(get(row, "machines"), 0), "measured")));
	cJSON_Delete(doc);
	md = text_file(out, "summary.md");
	strbuf_addstr(&want, "\n## ");
	report_md_text(&want, EVIL);
	strbuf_addch(&want, '\n');
	ck_assert_msg(strstr(md, want.buf), "no heading %s in\n%s", want.buf, md);
	ck_assert_ptr_null(strstr(md, "<script>"));
	ck_assert_ptr_null(strstr(md, "\x1b"));
	free(md);
	html = text_file(out, "report.html");
	ck_assert_ptr_null(strstr(html, "<script>alert"));
	ck_assert_ptr_nonnull(strstr(html, "<h2>&lt;script&gt;alert(1)&lt;/script&gt;|*x*_[y]\\x1b[2J "
					"`z`</h2>"));
	free(html);
	strbuf_release(&want);
}
END_TEST

START_TEST(test_help)
{
	const char *a[] = { "help", "merge", NULL }, *b[] = { "merge", "--help", NULL };
	const char *c[] = { "--help", NULL };
	char *o1, *o2, *e;
	ck_assert_int_eq(o3(a, &o1, &e), 0);
	free(e);
	ck_assert_int_eq(o3(b, &o2, &e), 0);
	free(e);
	ck_assert_str_eq(o1, o2);
	ck_assert_msg(strstr(o1, "usage: o3 merge [options] RESULTS...") &&
		      strstr(o1, "--name LABEL=RESULTS") && strstr(o1, "--force") &&
		      strstr(o1, "-o, --out DIR"), "%s", o1);
	free(o1);
	free(o2);
	ck_assert_int_eq(o3(c, &o1, &e), 0);
	ck_assert_msg(strstr(o1, "\n  merge "), "%s", o1);
	free(o1);
	free(e);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("merge_sim");
	TCase *tc = tcase_create("merge");
	tcase_add_unchecked_fixture(tc, machines_up, machines_down);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_two_machines_one_report);
	tcase_add_test(tc, test_different_suites);
	tcase_add_test(tc, test_bad_folders);
	tcase_add_test(tc, test_labels);
	tcase_add_test(tc, test_hostile_model_name);
	tcase_add_test(tc, test_help);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed_n;
	srunner_run_all(sr, CK_NORMAL);
	failed_n = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed_n ? EXIT_FAILURE : EXIT_SUCCESS;
}
