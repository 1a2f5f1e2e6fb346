// SPDX-License-Identifier: MIT
/*
 * Presets as YAML (libyaml's emitter) and Modelfiles, and the server
 * environment they depend on as an environment file and a systemd drop-in
 * (report.h).
 *
 * What a preset depends on comes from the summary's `identity` (Ollama
 * version, model digest, whether the server was o3's simulator, the server
 * knobs and where they were read) and, in managed mode, from its top-level
 * `server_knobs`. Each knob of the server environment is in one of these
 * states:
 *
 *   set       read from the server (managed: o3 started it with the knob;
 *             process: read from the `ollama serve` process environment)
 *   assumed   the knobs could not be read (remote server): the value o3
 *             assumed (e.g. from --parallel)
 *   default   not set on a server whose knobs were read: Ollama's default,
 *             written out (pinned) in the environment files
 *   server    not set, and Ollama has no fixed default (flash attention:
 *             the server decides): "server default", left unset
 *   unknown   could not be read: "unknown" in the YAML, a comment (never an
 *             assignment) in the environment files
 *
 * A value with a newline or another control character, invalid UTF-8, or a
 * name that is not a variable name, is refused in the environment files (a
 * comment says so) and kept, escaped by libyaml, in the YAML (invalid UTF-8
 * there as U+FFFD). Comment lines hold no control character.
 *
 * Every file is written to a temporary file in the same folder and renamed,
 * so that an old file survives a failed write.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "msg.h"
#include "record.h"
#include "report_internal.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

#define MAX_KNOBS 64
#define DROPIN_SUFFIX ".systemd-override.conf"

enum kstate { K_SET, K_ASSUMED, K_DEFAULT, K_SERVER, K_UNKNOWN };

struct knob {
	const char *name;
	const char *value; /* K_SET, K_ASSUMED, K_DEFAULT; NULL otherwise */
	const char *dflt;  /* Ollama's default, to pin; NULL: the server decides */
	const char *dflt_text;
	enum kstate st;
	int present;
	char num[40];
};

struct deps {
	int simulated; /* 1, 0, or -1: unknown */
	const char *simulator, *version, *digest, *source;
	const cJSON *machine;
	struct knob k[MAX_KNOBS];
	size_t n;
	long parallel; /* OLLAMA_NUM_PARALLEL as a number, 0 when not known */
};

static const struct {
	const char *name, *dflt, *dflt_text;
} known_knobs[] = {
	{ "OLLAMA_NUM_PARALLEL", "1", "1 (since Ollama 0.10.0)" },
	{ "OLLAMA_KV_CACHE_TYPE", "f16", "f16" },
	{ "OLLAMA_FLASH_ATTENTION", NULL, NULL },
};

/* Why name=value cannot go into an environment file, or NULL. */
static const char *env_refusal(const char *name, const char *value)
{
	const unsigned char *p;
	if (!name || !*name || (*name >= '0' && *name <= '9'))
		return "not a valid variable name";
	for (p = (const unsigned char *)name; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return "not a valid variable name";
	for (p = (const unsigned char *)value; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "the value holds a newline or another control character";
	if (!report_utf8_valid(value))
		return "the value is not valid UTF-8";
	return NULL;
}

/* ---- what the presets depend on ----------------------------------------- */

static struct knob *knob_slot(struct deps *d, const char *name)
{
	size_t i;
	for (i = 0; i < d->n; i++)
		if (!strcmp(d->k[i].name, name))
			return &d->k[i];
	if (d->n == MAX_KNOBS)
		return NULL;
	d->k[d->n].name = name;
	return &d->k[d->n++];
}

static void knob_take(struct deps *d, const cJSON *v)
{
	struct knob *k;
	if (!v->string || !(k = knob_slot(d, v->string)))
		return;
	if (cJSON_IsString(v)) {
		k->value = v->valuestring;
	} else if (cJSON_IsNumber(v)) {
		snprintf(k->num, sizeof(k->num), "%.15g", v->valuedouble);
		k->value = k->num;
	} else if (cJSON_IsBool(v)) {
		k->value = cJSON_IsTrue(v) ? "true" : "false";
	} else {
		return; /* null, objects, arrays: not a value */
	}
	k->present = 1;
}

static void deps_read(struct deps *d, const cJSON *m)
{
	const cJSON *id = rec_get(m, "identity"), *top = rec_get(m, "server_knobs"), *v;
	size_t i;

	memset(d, 0, sizeof(*d));
	v = rec_get(id, "simulated");
	d->simulated = cJSON_IsBool(v) ? cJSON_IsTrue(v) : -1;
	d->simulator = rec_str(id, "simulator");
	d->version = rec_str(id, "ollama_version");
	d->digest = rec_str(id, "model_digest");
	d->machine = cJSON_IsObject(rec_get(id, "machine")) ? rec_get(id, "machine") : NULL;
	d->source = rec_str(id, "server_knobs_source");
	if (cJSON_IsObject(top))
		d->source = "managed"; /* top-level knobs: o3 started the server */
	else if (!d->source || (strcmp(d->source, "managed") && strcmp(d->source, "process")))
		d->source = "unknown";

	for (i = 0; i < ARRAY_SIZE(known_knobs); i++) {
		struct knob *k = knob_slot(d, known_knobs[i].name);
		k->dflt = known_knobs[i].dflt;
		k->dflt_text = known_knobs[i].dflt_text;
	}
	if (cJSON_IsObject(rec_get(id, "server_knobs")))
		cJSON_ArrayForEach(v, rec_get(id, "server_knobs"))
			knob_take(d, v);
	if (cJSON_IsObject(top))
		cJSON_ArrayForEach(v, top)
			knob_take(d, v);

	for (i = 0; i < d->n; i++) {
		struct knob *k = &d->k[i];
		int readable = strcmp(d->source, "unknown") != 0;
		if (k->present)
			k->st = readable ? K_SET : K_ASSUMED;
		else if (!readable)
			k->st = K_UNKNOWN;
		else if (k->dflt)
			k->st = K_DEFAULT, k->value = k->dflt;
		else
			k->st = K_SERVER;
		if (!strcmp(k->name, "OLLAMA_NUM_PARALLEL") && k->value &&
		    (o3_parse_long(k->value, &d->parallel) || d->parallel < 1))
			d->parallel = 0;
	}
}

static const char *knob_yaml_value(const struct knob *k)
{
	if (k->st == K_SERVER)
		return "server default";
	if (k->st == K_UNKNOWN)
		return "unknown";
	return k->value;
}

/* Why a knob has the value it has, or "" when it was simply read. */
static void knob_note(const struct knob *k, char *out, size_t len)
{
	const char *refused = k->value && k->st != K_DEFAULT ? env_refusal(k->name, k->value) :
			      NULL;
	switch (k->st) {
	case K_SET:
		*out = '\0';
		break;
	case K_ASSUMED:
		snprintf(out, len, "assumed by o3 (from its options), not read from the server");
		break;
	case K_DEFAULT:
		snprintf(out, len, "not set on the server: Ollama's default, %s", k->dflt_text);
		break;
	case K_SERVER:
		snprintf(out, len, "not set on the server: the server decides (version and "
			 "hardware dependent)");
		break;
	case K_UNKNOWN:
		if (k->dflt)
			snprintf(out, len, "could not be read from the server; Ollama's default is %s",
				 k->dflt_text);
		else
			snprintf(out, len, "could not be read from the server; unset, the server decides");
		break;
	}
	if (refused) {
		size_t n = strlen(out);
		snprintf(out + n, len - n, "%snot written to the environment files: %s",
			 n ? "; " : "", refused);
	}
}

static const char *source_text(const struct deps *d)
{
	if (!strcmp(d->source, "managed"))
		return "set by o3, which started the server";
	if (!strcmp(d->source, "process"))
		return "read from the `ollama serve` process";
	return "not readable from the server";
}

/* ---- writing ------------------------------------------------------------- */

/* s in a comment line: control characters become '?', invalid UTF-8
 * U+FFFD (a newline would end the comment and start a line of its own). */
static void add_comment_text(struct strbuf *sb, const char *s)
{
	unsigned cp;
	size_t n;
	while (s && *s) {
		if (!(n = o3_utf8_char(s, &cp))) {
			strbuf_addstr(sb, "\xef\xbf\xbd");
			s++;
			continue;
		}
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			strbuf_addch(sb, '?');
		else
			strbuf_add(sb, s, n);
		s += n;
	}
}

/* A model name that a Modelfile's FROM line can hold as it is: valid UTF-8,
 * no space or control character. */
static int from_safe(const char *model)
{
	const unsigned char *p;
	if (!*model || !report_utf8_valid(model))
		return 0;
	for (p = (const unsigned char *)model; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static void add_simulated_line(struct strbuf *sb, const struct deps *d)
{
	if (d->simulated != 1)
		return;
	strbuf_addstr(sb, "# SIMULATED: measured on a simulator");
	if (d->simulator) {
		strbuf_addstr(sb, " (");
		add_comment_text(sb, d->simulator);
		strbuf_addch(sb, ')');
	}
	strbuf_addstr(sb, ", not on a real server; do not apply\n");
}

/* A YAML 1.1 plain scalar that a reader would take for something else than
 * a string (null, a boolean, a number). */
static int looks_typed(const char *s)
{
	static const char *const words[] = { "", "~", "null", "true", "false", "yes", "no",
					     "on", "off", "y", "n", ".inf", "-.inf", "+.inf",
					     ".nan" };
	size_t i;
	char *end;
	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return 1;
	errno = 0;
	(void)strtod(s, &end);
	if (end != s && !*end)
		return 1;
	(void)strtol(s, &end, 0);
	return end != s && !*end;
}

static int scalar_styled(yaml_emitter_t *e, const char *v, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	struct strbuf sb = STRBUF_INIT;
	int ok;
	/* libyaml refuses invalid UTF-8: each bad byte becomes U+FFFD */
	report_utf8_clean(&sb, v, strlen(v));
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)sb.buf, (int)sb.len, 1, 1,
				     style);
	ok = yaml_emitter_emit(e, &ev);
	strbuf_release(&sb);
	return ok;
}

static int scalar(yaml_emitter_t *e, const char *v)
{
	return scalar_styled(e, v, YAML_ANY_SCALAR_STYLE);
}

/* A string: quoted when a plain scalar would not read back as this string. */
static int scalar_str(yaml_emitter_t *e, const char *v)
{
	return scalar_styled(e, v, looks_typed(v) ? YAML_SINGLE_QUOTED_SCALAR_STYLE :
				   YAML_ANY_SCALAR_STYLE);
}

static int start_map(yaml_emitter_t *e)
{
	yaml_event_t ev;
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	return yaml_emitter_emit(e, &ev);
}

static int end_map(yaml_emitter_t *e)
{
	yaml_event_t ev;
	yaml_mapping_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev);
}

/* A cJSON value as YAML (objects, arrays, scalars). 1 on success. */
static int emit_json(yaml_emitter_t *e, const cJSON *v)
{
	yaml_event_t ev;
	const cJSON *it;
	char buf[64];
	if (cJSON_IsObject(v)) {
		if (!start_map(e))
			return 0;
		cJSON_ArrayForEach(it, v)
			if (!scalar(e, it->string) || !emit_json(e, it))
				return 0;
		return end_map(e);
	}
	if (cJSON_IsArray(v)) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return 0;
		cJSON_ArrayForEach(it, v)
			if (!emit_json(e, it))
				return 0;
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev);
	}
	if (cJSON_IsNumber(v)) {
		snprintf(buf, sizeof(buf), "%.15g", v->valuedouble);
		return scalar(e, buf);
	}
	if (cJSON_IsBool(v))
		return scalar(e, cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsString(v))
		return scalar_str(e, v->valuestring);
	return scalar(e, "~");
}

static int yaml_out(void *data, unsigned char *buffer, size_t size)
{
	return strbuf_add(data, buffer, size) == 0;
}

static int write_yaml(const char *path, const cJSON *doc, const struct deps *d)
{
	struct strbuf sb = STRBUF_INIT;
	yaml_emitter_t e;
	yaml_event_t ev;
	int ok;
	add_simulated_line(&sb, d);
	yaml_emitter_initialize(&e);
	yaml_emitter_set_output(&e, yaml_out, &sb);
	yaml_emitter_set_unicode(&e, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ok = yaml_emitter_emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && emit_json(&e, doc);
	yaml_document_end_event_initialize(&ev, 1);
	ok = ok && yaml_emitter_emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	ok = ok && yaml_emitter_emit(&e, &ev);
	ok = ok && yaml_emitter_flush(&e);
	if (!ok) {
		warning("cannot write '%s': %s", path, e.problem ? e.problem : "YAML emitter error");
		yaml_emitter_delete(&e);
		strbuf_release(&sb);
		return -1;
	}
	yaml_emitter_delete(&e);
	return report_file_write_sb(path, &sb);
}

/* depends_on for the YAML; with allocated_context when num_ctx > 0. */
static cJSON *deps_json(const struct deps *d, const char *stem, int full, double num_ctx)
{
	cJSON *o = cJSON_CreateObject(), *env, *notes = NULL;
	char note[512], name[600];
	size_t i;
	cJSON_AddStringToObject(o, "ollama_version", d->version ? d->version : "unknown");
	cJSON_AddStringToObject(o, "model_digest", d->digest ? d->digest : "unknown");
	if (d->simulated < 0)
		cJSON_AddStringToObject(o, "simulated", "unknown");
	else
		cJSON_AddBoolToObject(o, "simulated", d->simulated);
	if (d->simulated == 1 && d->simulator)
		cJSON_AddStringToObject(o, "simulator", d->simulator);
	cJSON_AddStringToObject(o, "server_knobs_source", d->source);
	env = cJSON_AddObjectToObject(o, "server_environment");
	for (i = 0; i < d->n; i++) {
		cJSON_AddStringToObject(env, d->k[i].name, knob_yaml_value(&d->k[i]));
		knob_note(&d->k[i], note, sizeof(note));
		if (full && *note) {
			if (!notes)
				notes = cJSON_CreateObject();
			cJSON_AddStringToObject(notes, d->k[i].name, note);
		}
	}
	if (notes)
		cJSON_AddItemToObject(o, "server_environment_notes", notes);
	if (num_ctx > 0 && d->parallel > 0)
		cJSON_AddNumberToObject(o, "allocated_context", num_ctx * (double)d->parallel);
	if (!full)
		return o;
	cJSON_AddStringToObject(o, "context_allocation",
				"Ollama allocates num_ctx once per parallel slot: KV cache memory "
				"~ num_ctx x OLLAMA_NUM_PARALLEL");
	if (d->machine)
		cJSON_AddItemToObject(o, "machine", cJSON_Duplicate(d->machine, 1));
	snprintf(name, sizeof(name), "%s.env", stem);
	cJSON_AddStringToObject(o, "environment_file", name);
	snprintf(name, sizeof(name), "%s" DROPIN_SUFFIX, stem);
	cJSON_AddStringToObject(o, "systemd_drop_in", name);
	return o;
}

/* The header every environment file shares (after the SIMULATED line). */
static void add_env_header(struct strbuf *sb, const struct deps *d, const char *model)
{
	strbuf_addstr(sb, "# the environment of `ollama serve` these presets were measured with\n");
	strbuf_addstr(sb, "# o3 presets for ");
	add_comment_text(sb, model);
	strbuf_addstr(sb, "; Ollama ");
	add_comment_text(sb, d->version ? d->version : "unknown");
	strbuf_addstr(sb, "; server knobs ");
	strbuf_addstr(sb, source_text(d));
	strbuf_addstr(sb, ".\n# It applies to every model of the server, and only after a restart.\n"
		      "# Ollama allocates num_ctx once per parallel slot: KV cache memory ~ num_ctx x "
		      "OLLAMA_NUM_PARALLEL.\n");
}

/* The comment line of a knob that gets no assignment, or a note above one
 * that does; 1 when the knob is to be assigned. */
static int add_knob_comment(struct strbuf *sb, const struct knob *k)
{
	char note[512];
	const char *refused = k->value ? env_refusal(k->name, k->value) : NULL;
	knob_note(k, note, sizeof(note));
	if (*note) {
		strbuf_addstr(sb, "# ");
		add_comment_text(sb, k->name);
		strbuf_addstr(sb, ": ");
		add_comment_text(sb, note);
		if (k->st == K_SERVER || k->st == K_UNKNOWN)
			strbuf_addstr(sb, " (left unset here)");
		strbuf_addch(sb, '\n');
	}
	return k->value && !refused && k->st != K_UNKNOWN && k->st != K_SERVER;
}

static int plain_env_value(const char *v)
{
	for (; *v; v++)
		if (!((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') ||
		      (*v >= '0' && *v <= '9') || strchr("_.,:/+@-", *v)))
			return 0;
	return 1;
}

/* KEY=VALUE for systemd's EnvironmentFile= and a POSIX shell's `.`: plain,
 * or in double quotes with ", \, ` and $ escaped (both read these four
 * escapes alike and keep any other backslash). */
static int write_env(const char *path, const struct deps *d, const char *model,
		     const char *stem)
{
	struct strbuf sb = STRBUF_INIT;
	const char *v;
	size_t i;
	add_simulated_line(&sb, d);
	add_env_header(&sb, d, model);
	strbuf_addf(&sb, "# Use it as EnvironmentFile= of ollama.service (or with %s" DROPIN_SUFFIX
		    "),\n# or in a shell: set -a; . ./%s.env; set +a; ollama serve\n"
		    "# (env $(grep -v '^#' %s.env) ollama serve works when no value is quoted)\n",
		    stem, stem, stem);
	for (i = 0; i < d->n; i++) {
		if (!add_knob_comment(&sb, &d->k[i]))
			continue;
		strbuf_addf(&sb, "%s=", d->k[i].name);
		if (plain_env_value(d->k[i].value) && *d->k[i].value) {
			strbuf_addstr(&sb, d->k[i].value);
		} else {
			strbuf_addch(&sb, '"');
			for (v = d->k[i].value; *v; v++) {
				if (strchr("\"\\`$", *v))
					strbuf_addch(&sb, '\\');
				strbuf_addch(&sb, *v);
			}
			strbuf_addch(&sb, '"');
		}
		strbuf_addch(&sb, '\n');
	}
	return report_file_write_sb(path, &sb);
}

/* A [Service] drop-in: Environment="KEY=VALUE", with " and \ escaped (the
 * C escapes systemd undoes inside quotes) and % doubled (specifiers). */
static int write_dropin(const char *path, const struct deps *d, const char *model)
{
	struct strbuf sb = STRBUF_INIT;
	const char *v;
	size_t i;
	add_simulated_line(&sb, d);
	add_env_header(&sb, d, model);
	strbuf_addstr(&sb,
		      "# A systemd drop-in for ollama.service: save it as\n"
		      "#   /etc/systemd/system/ollama.service.d/override.conf\n"
		      "# (or paste the [Service] section into `sudo systemctl edit ollama`), "
		      "then restart the server:\n"
		      "#   sudo systemctl daemon-reload && sudo systemctl restart ollama\n"
		      "[Service]\n");
	for (i = 0; i < d->n; i++) {
		if (!add_knob_comment(&sb, &d->k[i]))
			continue;
		strbuf_addf(&sb, "Environment=\"%s=", d->k[i].name);
		for (v = d->k[i].value; *v; v++) {
			if (*v == '"' || *v == '\\')
				strbuf_addch(&sb, '\\');
			else if (*v == '%')
				strbuf_addch(&sb, '%');
			strbuf_addch(&sb, *v);
		}
		strbuf_addstr(&sb, "\"\n");
	}
	return report_file_write_sb(path, &sb);
}

static int write_modelfile(const char *path, const char *model, const cJSON *preset,
			   const char *which, const struct deps *d, const char *stem)
{
	struct strbuf sb = STRBUF_INIT;
	const cJSON *o, *ctx = rec_get(rec_get(preset, "options"), "num_ctx");
	size_t i;
	add_simulated_line(&sb, d);
	/* the file's own name: the folder moves (an artifact, a copy) */
	strbuf_addf(&sb, "# o3 preset '%s' for ", which);
	add_comment_text(&sb, model);
	strbuf_addstr(&sb, "; create it with: ollama create NAME -f ");
	add_comment_text(&sb, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	strbuf_addch(&sb, '\n');
	strbuf_addstr(&sb, "# Depends on: Ollama ");
	add_comment_text(&sb, d->version ? d->version : "unknown");
	strbuf_addstr(&sb, ", model digest ");
	add_comment_text(&sb, d->digest ? d->digest : "unknown");
	strbuf_addstr(&sb, d->simulated == 1 ? ", measured on a simulator" :
		      d->simulated == 0 ? ", measured on a real server" :
		      ", server kind unknown");
	strbuf_addstr(&sb, "\n# Server environment (knobs ");
	strbuf_addstr(&sb, source_text(d));
	strbuf_addstr(&sb, "):");
	for (i = 0; i < d->n; i++) {
		strbuf_addch(&sb, ' ');
		add_comment_text(&sb, d->k[i].name);
		if (d->k[i].st == K_SERVER) {
			strbuf_addstr(&sb, " unset (server default)");
		} else {
			strbuf_addch(&sb, '=');
			add_comment_text(&sb, knob_yaml_value(&d->k[i]));
			if (d->k[i].st == K_ASSUMED)
				strbuf_addstr(&sb, " (assumed)");
		}
	}
	strbuf_addf(&sb, "\n# Set it with %s.env or %s" DROPIN_SUFFIX
		    " (the server must restart).\n", stem, stem);
	strbuf_addstr(&sb, "# num_ctx is allocated once per parallel slot: memory ~ num_ctx x "
		      "OLLAMA_NUM_PARALLEL");
	if (cJSON_IsNumber(ctx) && d->parallel > 0)
		strbuf_addf(&sb, " (here %.15g x %ld = %.15g tokens of KV cache)", ctx->valuedouble,
			    d->parallel, ctx->valuedouble * (double)d->parallel);
	strbuf_addstr(&sb, "; a higher OLLAMA_NUM_PARALLEL needs more memory and this preset "
		      "may no longer fit.\n");
	if (from_safe(model)) {
		strbuf_addf(&sb, "FROM %s\n", model);
	} else {
		/* no FROM line: `ollama create` refuses the file rather than
		 * build from another name */
		strbuf_addstr(&sb, "# FROM ");
		add_comment_text(&sb, model);
		strbuf_addstr(&sb, "\n# (not written: the model name holds a space, a control "
			      "character or invalid UTF-8)\n");
	}
	cJSON_ArrayForEach(o, rec_get(preset, "options")) {
		if (!strcmp(o->string, "num_predict"))
			continue; /* a request knob: set per request, not in the model */
		if (cJSON_IsNumber(o))
			strbuf_addf(&sb, "PARAMETER %s %.15g\n", o->string, o->valuedouble);
		else if (cJSON_IsBool(o))
			strbuf_addf(&sb, "PARAMETER %s %s\n", o->string,
				    cJSON_IsTrue(o) ? "true" : "false");
	}
	return report_file_write_sb(path, &sb);
}

static int mkpath(char *out, size_t len, const char *dir, const char *stem, const char *mid,
		  const char *ext)
{
	int n = snprintf(out, len, "%s/%s%s%s%s", dir, stem, mid ? "." : "", mid ? mid : "", ext);
	if (n < 0 || (size_t)n >= len) {
		warning("cannot write the presets of '%s' under '%s': the name is too long", stem, dir);
		return -1;
	}
	return 0;
}

int report_presets_write(const char *dir, const cJSON *m)
{
	const char *model = rec_str(m, "model");
	const cJSON *presets = rec_get(m, "presets"), *p;
	const cJSON *knobs = rec_get(m, "server_knobs"), *k;
	struct deps *d;
	cJSON *doc, *pd;
	char slug[256], path[1024];
	size_t n;
	int rc = 0;

	if (!model || !presets || cJSON_IsFalse(rec_get(m, "complete")))
		return 0; /* no presets from a model that was not finished */
	d = xcalloc(1, sizeof(*d));
	deps_read(d, m);
	o3_model_slug(model, slug, sizeof(slug));
	/* managed mode: one set of presets per server configuration */
	cJSON_ArrayForEach(k, knobs) {
		char part[128];
		n = strlen(slug);
		snprintf(part, sizeof(part), ".%s-%s", k->string,
			 cJSON_GetStringValue(k) ? cJSON_GetStringValue(k) : "");
		o3_model_slug(part, slug + n, sizeof(slug) - n);
	}
	/* a simulated preset never takes, nor passes for, a real one's name */
	n = strlen(slug);
	if (d->simulated == 1 && n + sizeof(".simulated") <= sizeof(slug))
		snprintf(slug + n, sizeof(slug) - n, ".simulated");
	else if (d->simulated == 1) {
		warning("cannot write the presets of '%s': the name is too long", slug);
		rc = -1;
	}

	doc = cJSON_CreateObject();
	if (d->simulated >= 0)
		cJSON_AddBoolToObject(doc, "simulated", d->simulated);
	cJSON_AddStringToObject(doc, "model", model);
	if (knobs)
		cJSON_AddItemToObject(doc, "server_environment", cJSON_Duplicate(knobs, 1));
	cJSON_AddItemToObject(doc, "depends_on", deps_json(d, slug, 1, 0));
	pd = cJSON_AddObjectToObject(doc, "presets");
	cJSON_ArrayForEach(p, presets) {
		cJSON *one = cJSON_Duplicate(p, 1);
		const cJSON *ctx = rec_get(rec_get(p, "options"), "num_ctx");
		if (cJSON_IsObject(one))
			cJSON_AddItemToObject(one, "depends_on",
					      deps_json(d, slug, 0,
							cJSON_IsNumber(ctx) ? ctx->valuedouble : 0));
		cJSON_AddItemToObject(pd, p->string, one);
	}

	if (!rc) {
		rc |= mkpath(path, sizeof(path), dir, slug, NULL, ".env") ||
		      write_env(path, d, model, slug) ? -1 : 0;
		rc |= mkpath(path, sizeof(path), dir, slug, NULL, DROPIN_SUFFIX) ||
		      write_dropin(path, d, model) ? -1 : 0;
		rc |= mkpath(path, sizeof(path), dir, slug, NULL, ".yaml") ||
		      write_yaml(path, doc, d) ? -1 : 0;
		cJSON_ArrayForEach(p, presets)
			rc |= mkpath(path, sizeof(path), dir, slug, p->string, ".Modelfile") ||
			      write_modelfile(path, model, p, p->string, d, slug) ? -1 : 0;
	}
	cJSON_Delete(doc);
	free(d);
	return rc ? -1 : 0;
}

/* ---- the writer -------------------------------------------------------------- */

struct presets_state {
	char dir[4096];
};

static int presets_begin(const struct report_run *run, void **state)
{
	struct presets_state *st = xcalloc(1, sizeof(*st));
	if (report_folder(run, "defaults", st->dir, sizeof(st->dir))) {
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

static int presets_model(void *state, const cJSON *m)
{
	return report_presets_write(((struct presets_state *)state)->dir, m);
}

const struct report_writer report_writer_presets = {
	.name = "presets",
	.begin = presets_begin,
	.model = presets_model,
	.release = free,
};
