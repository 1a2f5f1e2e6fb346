// SPDX-License-Identifier: MIT
/*
 * report_presets_write on hand-made model summaries: the YAML (read back
 * with libyaml), the Modelfiles, the environment file and the systemd
 * drop-in, with and without identity, real and simulated, managed and
 * external, and with hostile knob values.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "report.h"
#include "strbuf.h"
#include "banned.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/o3-presets-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	char path[512];
	if (!dp)
		return;
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	closedir(dp);
	rmdir(dir);
}

/* The file's text (malloced), or NULL when it does not exist. */
static char *slurp(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char path[512], buf[4096];
	size_t n;
	FILE *fp;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (!fp)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	return strbuf_detach(&sb, NULL);
}

static int exists(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* How many files the folder holds, and whether every name has `needle`. */
static int count_files(const char *needle, int *all_have)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int n = 0;
	*all_have = 1;
	ck_assert_ptr_nonnull(dp);
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.') {
			n++;
			if (needle && !strstr(de->d_name, needle))
				*all_have = 0;
		}
	closedir(dp);
	return n;
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;
	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

static cJSON *summary(const char *json)
{
	cJSON *m = cJSON_Parse(json);
	ck_assert_msg(m != NULL, "bad test JSON: %s", json);
	return m;
}

static void write_ok(const char *json)
{
	cJSON *m = summary(json);
	ck_assert_int_eq(report_presets_write(dir, m), 0);
	cJSON_Delete(m);
}

/* ---- YAML read back with libyaml ---------------------------------------- */

struct ydoc {
	yaml_document_t doc;
};

static void yload(struct ydoc *y, const char *name)
{
	char *text = slurp(name);
	yaml_parser_t p;
	ck_assert_msg(text != NULL, "%s missing", name);
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	ck_assert_msg(yaml_parser_load(&p, &y->doc), "%s: YAML error %s", name,
		      p.problem ? p.problem : "?");
	ck_assert_ptr_nonnull(yaml_document_get_root_node(&y->doc));
	yaml_parser_delete(&p);
	free(text);
}

static void yfree(struct ydoc *y)
{
	yaml_document_delete(&y->doc);
}

/* The node at a dotted path of mapping keys, or NULL. */
static yaml_node_t *ynode(struct ydoc *y, const char *path)
{
	yaml_node_t *n = yaml_document_get_root_node(&y->doc);
	char key[256];
	const char *p = path;
	while (n && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);
		yaml_node_pair_t *pair;
		yaml_node_t *found = NULL;
		snprintf(key, sizeof(key), "%.*s", (int)len, p);
		p += len + (dot ? 1 : 0);
		if (n->type != YAML_MAPPING_NODE)
			return NULL;
		for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
			yaml_node_t *k = yaml_document_get_node(&y->doc, pair->key);
			if (k && k->type == YAML_SCALAR_NODE &&
			    !strcmp((const char *)k->data.scalar.value, key)) {
				found = yaml_document_get_node(&y->doc, pair->value);
				break;
			}
		}
		n = found;
	}
	return n;
}

/* A scalar's text, or NULL. */
static const char *ystr(struct ydoc *y, const char *path)
{
	yaml_node_t *n = ynode(y, path);
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A scalar that reads back as a string: quoted when it would look like a
 * number, a boolean or null. */
static int yquoted(struct ydoc *y, const char *path)
{
	yaml_node_t *n = ynode(y, path);
	return n && n->type == YAML_SCALAR_NODE &&
	       (n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE);
}

#define ck_ystr(y, path, want) do { \
	const char *got_ = ystr((y), (path)); \
	ck_assert_msg(got_ && !strcmp(got_, (want)), "%s: '%s', want '%s'", (path), \
		      got_ ? got_ : "(missing)", (want)); \
} while (0)

/* ---- summaries ------------------------------------------------------------ */

#define PRESETS \
	"\"presets\":{\"max_ctx\":{\"options\":{\"num_ctx\":65536,\"num_batch\":512," \
	"\"num_predict\":128},\"evidence\":[\"r1\",\"r2\"],\"rollback\":\"ollama defaults\"}," \
	"\"fast\":{\"options\":{\"num_ctx\":8192,\"flash\":true}}}"

static const char *const no_identity_external =
	"{\"model\":\"qwen3-coder:30b\",\"complete\":true," PRESETS "}";

static const char *const no_identity_managed =
	"{\"model\":\"qwen3-coder:30b\",\"complete\":true,"
	"\"server_knobs\":{\"OLLAMA_KV_CACHE_TYPE\":\"q8_0\"}," PRESETS "}";

static const char *const real_process =
	"{\"model\":\"qwen3-coder:30b\",\"complete\":true,"
	"\"identity\":{\"ollama_version\":\"0.33.0\",\"simulated\":false,"
	"\"model_digest\":\"sha256:abc123\","
	"\"server_knobs\":{\"OLLAMA_NUM_PARALLEL\":\"2\",\"OLLAMA_KV_CACHE_TYPE\":\"q8_0\","
	"\"OLLAMA_FLASH_ATTENTION\":\"1\","
	"\"OLLAMA_ORIGINS\":\"http://a b\\\"c%d\\\\e$f'g`h\","
	"\"OLLAMA_MODELS\":\"/srv/x\\ny\",\"OLLAMA_CONTEXT_LENGTH\":\"true\"},"
	"\"server_knobs_source\":\"process\","
	"\"machine\":{\"gpu\":\"Radeon 8060S\",\"memory_bytes\":68719476736,\"driver\":\"amdgpu\"}},"
	PRESETS "}";

static const char *const simulated_unknown =
	"{\"model\":\"qwen3-coder:30b\",\"complete\":true,"
	"\"identity\":{\"ollama_version\":\"0.33.0\",\"simulated\":true,"
	"\"simulator\":\"o3-sim; profile=strix-halo-64g\","
	"\"server_knobs\":{\"OLLAMA_NUM_PARALLEL\":\"4\"},\"server_knobs_source\":\"unknown\"},"
	PRESETS "}";

static const char *const simulated_managed =
	"{\"model\":\"qwen3-coder:30b\",\"complete\":true,"
	"\"server_knobs\":{\"OLLAMA_KV_CACHE_TYPE\":\"q8_0\"},"
	"\"identity\":{\"ollama_version\":\"0.33.0\",\"simulated\":true,"
	"\"simulator\":\"o3-sim; profile=strix-halo-64g\","
	"\"server_knobs\":{\"OLLAMA_KV_CACHE_TYPE\":\"q8_0\",\"OLLAMA_NUM_PARALLEL\":\"1\"},"
	"\"server_knobs_source\":\"managed\"}," PRESETS "}";

/* ---- tests ----------------------------------------------------------------- */

START_TEST(test_no_identity_external)
{
	/* today's summaries: the same names as before, plus the environment
	 * files; everything the server could not tell is unknown */
	struct ydoc y;
	char *env, *dropin, *mf;
	int all;
	write_ok(no_identity_external);
	ck_assert(exists("qwen3-coder_30b.yaml"));
	ck_assert(exists("qwen3-coder_30b.max_ctx.Modelfile"));
	ck_assert(exists("qwen3-coder_30b.fast.Modelfile"));
	ck_assert(exists("qwen3-coder_30b.env"));
	ck_assert(exists("qwen3-coder_30b.systemd-override.conf"));
	ck_assert_int_eq(count_files(NULL, &all), 5);

	yload(&y, "qwen3-coder_30b.yaml");
	ck_ystr(&y, "model", "qwen3-coder:30b");
	ck_assert_ptr_null(ynode(&y, "simulated"));
	ck_assert_ptr_null(ynode(&y, "server_environment"));
	ck_ystr(&y, "presets.max_ctx.options.num_ctx", "65536");
	ck_assert_int_eq(ynode(&y, "presets.max_ctx.evidence")->type, YAML_SEQUENCE_NODE);
	ck_ystr(&y, "presets.max_ctx.rollback", "ollama defaults");
	ck_ystr(&y, "depends_on.ollama_version", "unknown");
	ck_ystr(&y, "depends_on.model_digest", "unknown");
	ck_ystr(&y, "depends_on.simulated", "unknown");
	ck_ystr(&y, "depends_on.server_knobs_source", "unknown");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_NUM_PARALLEL", "unknown");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_KV_CACHE_TYPE", "unknown");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_FLASH_ATTENTION", "unknown");
	ck_assert_ptr_nonnull(strstr(ystr(&y, "depends_on.server_environment_notes."
					   "OLLAMA_KV_CACHE_TYPE"), "default is f16"));
	ck_ystr(&y, "depends_on.environment_file", "qwen3-coder_30b.env");
	ck_ystr(&y, "depends_on.systemd_drop_in", "qwen3-coder_30b.systemd-override.conf");
	ck_ystr(&y, "presets.max_ctx.depends_on.server_knobs_source", "unknown");
	ck_assert_ptr_null(ynode(&y, "presets.max_ctx.depends_on.allocated_context"));
	yfree(&y);

	/* unknown knobs are comments, never assignments */
	env = slurp("qwen3-coder_30b.env");
	dropin = slurp("qwen3-coder_30b.systemd-override.conf");
	ck_assert_ptr_null(strstr(env, "\nOLLAMA_"));
	ck_assert_ptr_nonnull(strstr(env, "# OLLAMA_NUM_PARALLEL: could not be read"));
	ck_assert(has_line(dropin, "[Service]"));
	ck_assert_ptr_null(strstr(dropin, "Environment="));
	ck_assert(has_line(dropin, "#   sudo systemctl daemon-reload && sudo systemctl restart ollama"));
	ck_assert_ptr_nonnull(strstr(dropin, "/etc/systemd/system/ollama.service.d/override.conf"));
	ck_assert_ptr_null(strstr(env, "SIMULATED"));

	mf = slurp("qwen3-coder_30b.max_ctx.Modelfile");
	ck_assert_ptr_nonnull(strstr(mf, "# o3 preset 'max_ctx' for qwen3-coder:30b; create it with"));
	ck_assert_int_eq(strncmp(mf, "# o3 preset 'max_ctx'", 21), 0);
	ck_assert(has_line(mf, "FROM qwen3-coder:30b"));
	ck_assert(has_line(mf, "PARAMETER num_ctx 65536"));
	ck_assert(has_line(mf, "PARAMETER num_batch 512"));
	ck_assert_ptr_null(strstr(mf, "num_predict"));
	ck_assert_ptr_nonnull(strstr(mf, "OLLAMA_NUM_PARALLEL=unknown"));
	ck_assert_ptr_nonnull(strstr(mf, "memory ~ num_ctx x OLLAMA_NUM_PARALLEL"));
	free(mf);
	mf = slurp("qwen3-coder_30b.fast.Modelfile");
	ck_assert(has_line(mf, "PARAMETER flash true"));
	free(mf);
	free(env);
	free(dropin);
}
END_TEST

START_TEST(test_no_identity_managed)
{
	/* managed mode as today: a file set per server configuration, the
	 * top-level server_environment kept; knobs o3 did not set are
	 * Ollama's defaults (pinned where Ollama has one) */
	struct ydoc y;
	char *env, *dropin;
	const char *stem = "qwen3-coder_30b.OLLAMA_KV_CACHE_TYPE-q8_0";
	char name[256];
	snprintf(name, sizeof(name), "%s.yaml", stem);
	write_ok(no_identity_managed);
	ck_assert(exists(name));
	ck_assert(exists("qwen3-coder_30b.OLLAMA_KV_CACHE_TYPE-q8_0.max_ctx.Modelfile"));
	yload(&y, name);
	ck_ystr(&y, "server_environment.OLLAMA_KV_CACHE_TYPE", "q8_0");
	ck_ystr(&y, "depends_on.server_knobs_source", "managed");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_KV_CACHE_TYPE", "q8_0");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_NUM_PARALLEL", "1");
	ck_assert(yquoted(&y, "depends_on.server_environment.OLLAMA_NUM_PARALLEL"));
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_FLASH_ATTENTION", "server default");
	ck_assert_ptr_nonnull(strstr(ystr(&y, "depends_on.server_environment_notes."
					   "OLLAMA_NUM_PARALLEL"), "not set on the server"));
	ck_assert_ptr_null(ynode(&y, "depends_on.server_environment_notes.OLLAMA_KV_CACHE_TYPE"));
	ck_ystr(&y, "presets.max_ctx.depends_on.allocated_context", "65536");
	ck_ystr(&y, "presets.fast.depends_on.allocated_context", "8192");
	yfree(&y);

	snprintf(name, sizeof(name), "%s.env", stem);
	env = slurp(name);
	ck_assert_ptr_nonnull(env);
	ck_assert_int_eq(strncmp(env, "# the environment of `ollama serve`", 35), 0);
	ck_assert(has_line(env, "OLLAMA_KV_CACHE_TYPE=q8_0"));
	ck_assert(has_line(env, "OLLAMA_NUM_PARALLEL=1"));
	ck_assert_ptr_null(strstr(env, "\nOLLAMA_FLASH_ATTENTION="));
	snprintf(name, sizeof(name), "%s.systemd-override.conf", stem);
	dropin = slurp(name);
	ck_assert_ptr_nonnull(dropin);
	ck_assert(has_line(dropin, "Environment=\"OLLAMA_KV_CACHE_TYPE=q8_0\""));
	ck_assert(has_line(dropin, "Environment=\"OLLAMA_NUM_PARALLEL=1\""));
	ck_assert_ptr_null(strstr(dropin, "OLLAMA_FLASH_ATTENTION=\""));
	free(env);
	free(dropin);
}
END_TEST

START_TEST(test_real_hostile_values)
{
	/* spaces, quotes, %, $, ` and \ escaped for each reader; a newline is
	 * refused in the environment files and kept (escaped) in the YAML */
	struct ydoc y;
	char *env, *dropin, *mf, cmd[1024], got[256];
	const char *want = "http://a b\"c%d\\e$f'g`h";
	FILE *pp;
	size_t n;
	int all;
	write_ok(real_process);
	ck_assert_int_eq(count_files(NULL, &all), 5);
	yload(&y, "qwen3-coder_30b.yaml");
	ck_ystr(&y, "simulated", "false");
	ck_ystr(&y, "depends_on.simulated", "false");
	ck_assert_ptr_null(ynode(&y, "depends_on.simulator"));
	ck_ystr(&y, "depends_on.ollama_version", "0.33.0");
	ck_ystr(&y, "depends_on.model_digest", "sha256:abc123");
	ck_ystr(&y, "depends_on.server_knobs_source", "process");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_NUM_PARALLEL", "2");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_KV_CACHE_TYPE", "q8_0");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_FLASH_ATTENTION", "1");
	ck_assert(yquoted(&y, "depends_on.server_environment.OLLAMA_FLASH_ATTENTION"));
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_ORIGINS", want);
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_MODELS", "/srv/x\ny");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_CONTEXT_LENGTH", "true");
	ck_assert(yquoted(&y, "depends_on.server_environment.OLLAMA_CONTEXT_LENGTH"));
	ck_assert_ptr_nonnull(strstr(ystr(&y, "depends_on.server_environment_notes.OLLAMA_MODELS"),
				     "control character"));
	ck_assert_ptr_null(ynode(&y, "depends_on.server_environment_notes.OLLAMA_NUM_PARALLEL"));
	ck_ystr(&y, "depends_on.machine.gpu", "Radeon 8060S");
	ck_ystr(&y, "presets.max_ctx.depends_on.allocated_context", "131072");
	ck_ystr(&y, "presets.max_ctx.depends_on.ollama_version", "0.33.0");
	ck_ystr(&y, "presets.max_ctx.depends_on.server_environment.OLLAMA_NUM_PARALLEL", "2");
	ck_ystr(&y, "presets.fast.depends_on.allocated_context", "16384");
	yfree(&y);

	dropin = slurp("qwen3-coder_30b.systemd-override.conf");
	ck_assert(has_line(dropin, "Environment=\"OLLAMA_NUM_PARALLEL=2\""));
	ck_assert(has_line(dropin, "Environment=\"OLLAMA_FLASH_ATTENTION=1\""));
	ck_assert(has_line(dropin, "Environment=\"OLLAMA_ORIGINS=http://a b\\\"c%%d\\\\e$f'g`h\""));
	ck_assert_ptr_null(strstr(dropin, "Environment=\"OLLAMA_MODELS"));
	ck_assert_ptr_nonnull(strstr(dropin, "# OLLAMA_MODELS: not written to the environment "
					     "files: the value holds a newline"));
	ck_assert_ptr_null(strstr(dropin, "\ny"));

	env = slurp("qwen3-coder_30b.env");
	ck_assert(has_line(env, "OLLAMA_NUM_PARALLEL=2"));
	ck_assert(has_line(env, "OLLAMA_CONTEXT_LENGTH=true"));
	ck_assert(has_line(env, "OLLAMA_ORIGINS=\"http://a b\\\"c%d\\\\e\\$f'g\\`h\""));
	ck_assert_ptr_null(strstr(env, "\nOLLAMA_MODELS="));
	ck_assert_ptr_nonnull(strstr(env, "# OLLAMA_MODELS: not written"));
	/* a POSIX shell reads the value back as it was */
	snprintf(cmd, sizeof(cmd),
		 "sh -c 'set -a; . \"%s/qwen3-coder_30b.env\"; printf %%s \"$OLLAMA_ORIGINS\"'", dir);
	pp = popen(cmd, "r");
	ck_assert_ptr_nonnull(pp);
	n = fread(got, 1, sizeof(got) - 1, pp);
	got[n] = '\0';
	ck_assert_int_eq(pclose(pp), 0);
	ck_assert_str_eq(got, want);

	/* systemd itself finds nothing to ignore in the drop-in and the
	 * environment file (where systemd-analyze exists) */
	if (system("command -v systemd-analyze >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof(cmd),
			 "cd '%s' && { printf '[Unit]\\nDescription=t\\n'; "
			 "cat qwen3-coder_30b.systemd-override.conf; "
			 "printf 'ExecStart=/bin/true\\nEnvironmentFile=%s/qwen3-coder_30b.env\\n'; "
			 "} > o3check.service && systemd-analyze --man=no verify ./o3check.service 2>&1",
			 dir, dir);
		pp = popen(cmd, "r");
		ck_assert_ptr_nonnull(pp);
		n = fread(got, 1, sizeof(got) - 1, pp);
		got[n] = '\0';
		pclose(pp);
		/* a complaint about a line names it: o3check.service:LINE: … */
		ck_assert_msg(!strstr(got, "o3check.service:"), "systemd: %s", got);
		snprintf(cmd, sizeof(cmd), "%s/o3check.service", dir);
		unlink(cmd);
	}

	mf = slurp("qwen3-coder_30b.max_ctx.Modelfile");
	ck_assert_ptr_nonnull(strstr(mf, "# Depends on: Ollama 0.33.0, model digest sha256:abc123, "
					 "measured on a real server"));
	ck_assert_ptr_nonnull(strstr(mf, "OLLAMA_NUM_PARALLEL=2 OLLAMA_KV_CACHE_TYPE=q8_0 "
					 "OLLAMA_FLASH_ATTENTION=1"));
	ck_assert_ptr_nonnull(strstr(mf, "OLLAMA_MODELS=/srv/x?y"));
	ck_assert_ptr_nonnull(strstr(mf, "(here 65536 x 2 = 131072 tokens of KV cache)"));
	ck_assert_ptr_nonnull(strstr(mf, "qwen3-coder_30b.systemd-override.conf"));
	/* every line is a comment or an instruction: no value broke a line */
	{
		const char *p = mf;
		while (*p) {
			ck_assert_msg(*p == '#' || !strncmp(p, "FROM ", 5) || !strncmp(p, "PARAMETER ", 10),
				      "stray line: %.40s", p);
			p = strchr(p, '\n');
			ck_assert_ptr_nonnull(p);
			p++;
		}
	}
	free(mf);
	free(env);
	free(dropin);
}
END_TEST

static void check_simulated_files(const char *stem)
{
	static const char *const ext[] = { ".yaml", ".max_ctx.Modelfile", ".fast.Modelfile", ".env",
					   ".systemd-override.conf" };
	const char *first = "# SIMULATED: measured on a simulator (o3-sim; profile=strix-halo-64g), "
			    "not on a real server; do not apply\n";
	char name[256], *text;
	size_t i;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(name, sizeof(name), "%s%s", stem, ext[i]);
		text = slurp(name);
		ck_assert_msg(text != NULL, "%s missing", name);
		ck_assert_msg(!strncmp(text, first, strlen(first)), "%s starts: %.80s", name, text);
		free(text);
	}
}

START_TEST(test_simulated_external)
{
	/* a simulator's presets say so first thing in every file and carry
	 * .simulated in every name; the knob o3 assumed is marked so */
	struct ydoc y;
	char *env;
	int all;
	write_ok(simulated_unknown);
	ck_assert_int_eq(count_files(".simulated.", &all), 5);
	ck_assert(all);
	ck_assert(exists("qwen3-coder_30b.simulated.yaml"));
	ck_assert(exists("qwen3-coder_30b.simulated.max_ctx.Modelfile"));
	ck_assert(!exists("qwen3-coder_30b.yaml"));
	check_simulated_files("qwen3-coder_30b.simulated");
	yload(&y, "qwen3-coder_30b.simulated.yaml");
	ck_ystr(&y, "simulated", "true");
	ck_assert(!yquoted(&y, "simulated"));
	ck_ystr(&y, "depends_on.simulated", "true");
	ck_ystr(&y, "depends_on.simulator", "o3-sim; profile=strix-halo-64g");
	ck_ystr(&y, "depends_on.server_knobs_source", "unknown");
	ck_ystr(&y, "depends_on.model_digest", "unknown");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_NUM_PARALLEL", "4");
	ck_assert_ptr_nonnull(strstr(ystr(&y, "depends_on.server_environment_notes."
					   "OLLAMA_NUM_PARALLEL"), "assumed"));
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_KV_CACHE_TYPE", "unknown");
	ck_ystr(&y, "depends_on.environment_file", "qwen3-coder_30b.simulated.env");
	ck_ystr(&y, "presets.max_ctx.depends_on.allocated_context", "262144");
	ck_ystr(&y, "presets.max_ctx.depends_on.simulated", "true");
	yfree(&y);
	env = slurp("qwen3-coder_30b.simulated.env");
	ck_assert(has_line(env, "OLLAMA_NUM_PARALLEL=4"));
	ck_assert_ptr_null(strstr(env, "\nOLLAMA_KV_CACHE_TYPE="));
	free(env);
}
END_TEST

START_TEST(test_simulated_managed_beside_real)
{
	/* a simulated and a real run into the same folder: neither overwrites
	 * the other */
	struct ydoc y;
	int all;
	write_ok(simulated_managed);
	write_ok(no_identity_managed);
	check_simulated_files("qwen3-coder_30b.OLLAMA_KV_CACHE_TYPE-q8_0.simulated");
	ck_assert_int_eq(count_files(NULL, &all), 10);
	yload(&y, "qwen3-coder_30b.OLLAMA_KV_CACHE_TYPE-q8_0.simulated.yaml");
	ck_ystr(&y, "simulated", "true");
	ck_ystr(&y, "depends_on.server_knobs_source", "managed");
	ck_ystr(&y, "depends_on.server_environment.OLLAMA_NUM_PARALLEL", "1");
	ck_assert_ptr_null(ynode(&y, "depends_on.server_environment_notes.OLLAMA_NUM_PARALLEL"));
	yfree(&y);
	yload(&y, "qwen3-coder_30b.OLLAMA_KV_CACHE_TYPE-q8_0.yaml");
	ck_assert_ptr_null(ynode(&y, "simulated"));
	ck_ystr(&y, "depends_on.simulated", "unknown");
	yfree(&y);
}
END_TEST

START_TEST(test_unfinished_model_writes_nothing)
{
	int all;
	write_ok("{\"model\":\"m\",\"complete\":false," PRESETS "}");
	write_ok("{\"model\":\"m\",\"complete\":true}");
	ck_assert_int_eq(count_files(NULL, &all), 0);
}
END_TEST

START_TEST(test_rewrite_replaces_and_leaves_no_temporary)
{
	/* a second write replaces the files (through a rename) */
	char *mf;
	int all;
	write_ok(no_identity_external);
	write_ok(real_process);
	ck_assert_int_eq(count_files(NULL, &all), 5);
	mf = slurp("qwen3-coder_30b.max_ctx.Modelfile");
	ck_assert_ptr_nonnull(strstr(mf, "Ollama 0.33.0"));
	free(mf);
}
END_TEST

static Suite *presets_suite(void)
{
	Suite *s = suite_create("report_presets");
	TCase *tc = tcase_create("presets");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_no_identity_external);
	tcase_add_test(tc, test_no_identity_managed);
	tcase_add_test(tc, test_real_hostile_values);
	tcase_add_test(tc, test_simulated_external);
	tcase_add_test(tc, test_simulated_managed_beside_real);
	tcase_add_test(tc, test_unfinished_model_writes_nothing);
	tcase_add_test(tc, test_rewrite_replaces_and_leaves_no_temporary);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(presets_suite());
	int failed;
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
