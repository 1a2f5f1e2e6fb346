// SPDX-License-Identifier: MIT
/*
 * Checking request options before they are sent. Ollama ignores an unknown
 * option name with only a WARN in its log (api/types.go FromMap), so a typo
 * or a removed option would silently measure the defaults: o3 refuses them
 * here instead. Names and types: HEAD api/types.go Options and Runner
 * (reference ollama.md §2).
 */
#include "ollama.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

/* no bound */
#define ANY OLLAMA_OPT_NO_BOUND

#define INT(n, k, lo) { n, OLLAMA_OPT_INT, k, lo, ANY }
#define FLOAT(n, lo, hi) { n, OLLAMA_OPT_FLOAT, OLLAMA_KNOB_REQUEST, lo, hi }

/*
 * The one table of Ollama's current options: name, type, kind and the values
 * that make sense. o3 trial's -o and the suite's knobs (suite_knobs.c) both
 * read it.
 */
static const struct ollama_option options[] = {
	/* runtime: per request, no reload */
	INT("num_keep", OLLAMA_KNOB_REQUEST, -1),
	INT("seed", OLLAMA_KNOB_REQUEST, -ANY),
	INT("num_predict", OLLAMA_KNOB_REQUEST, -2), /* -1 until stop, -2 fill the context */
	INT("top_k", OLLAMA_KNOB_REQUEST, 0),
	FLOAT("top_p", 0, 1),
	FLOAT("min_p", 0, 1),
	FLOAT("typical_p", 0, 1),
	INT("repeat_last_n", OLLAMA_KNOB_REQUEST, -1),
	FLOAT("temperature", 0, 1e6),
	FLOAT("repeat_penalty", 0, 1e6),
	FLOAT("presence_penalty", -1e6, 1e6),
	FLOAT("frequency_penalty", -1e6, 1e6),
	{ "stop", OLLAMA_OPT_STRINGS, OLLAMA_KNOB_REQUEST, -ANY, ANY },
	/* load time ("Runner"): a change reloads the model */
	INT("num_ctx", OLLAMA_KNOB_LOAD, 1),
	INT("num_batch", OLLAMA_KNOB_LOAD, 1),
	INT("num_gpu", OLLAMA_KNOB_LOAD, -1),
	INT("main_gpu", OLLAMA_KNOB_LOAD, 0),
	{ "use_mmap", OLLAMA_OPT_BOOL, OLLAMA_KNOB_LOAD, -ANY, ANY },
	INT("num_thread", OLLAMA_KNOB_LOAD, 0),
	INT("draft_num_predict", OLLAMA_KNOB_LOAD, 0),
};

/* Options Ollama once had; it now ignores them (reference ollama.md §2). */
static const struct {
	const char *name;
	const char *version;
} removed[] = {
	{ "f16_kv", "v0.7.0" },
	{ "low_vram", "v0.7.0" },
	{ "logits_all", "v0.7.0" },
	{ "vocab_only", "v0.7.0" },
	{ "use_mlock", "v0.7.0" },
	{ "mirostat", "v0.7.0" },
	{ "mirostat_tau", "v0.7.0" },
	{ "mirostat_eta", "v0.7.0" },
	{ "numa", "v0.3.4" },
	{ "tfs_z", "v0.5.2" },
	{ "penalize_newline", "v0.5.5" },
};

static const char *const type_words[] = {
	[OLLAMA_OPT_INT] = "an integer",
	[OLLAMA_OPT_FLOAT] = "a number",
	[OLLAMA_OPT_BOOL] = "true or false",
	[OLLAMA_OPT_STRINGS] = "a list of strings",
};

const struct ollama_option *ollama_options(size_t *n)
{
	*n = ARRAY_SIZE(options);
	return options;
}

const struct ollama_option *ollama_option_find(const char *name)
{
	size_t i;
	for (i = 0; name && i < ARRAY_SIZE(options); i++)
		if (!strcmp(options[i].name, name))
			return &options[i];
	return NULL;
}

int ollama_option_kind(const char *name)
{
	const struct ollama_option *o = ollama_option_find(name);
	return o ? (int)o->kind : -1;
}

const char *ollama_option_removed_in(const char *name)
{
	size_t i;
	for (i = 0; name && i < ARRAY_SIZE(removed); i++)
		if (!strcmp(removed[i].name, name))
			return removed[i].version;
	return NULL;
}

static void say(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;
	if (!msg || !msglen)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

/*
 * Resolve a name: the option, or NULL with msg set. *renamed is set when an
 * old spelling was mapped to the current name.
 */
static const struct ollama_option *resolve(const char *name, int *renamed, char *msg, size_t msglen)
{
	const char *names[ARRAY_SIZE(options)];
	const char *near;
	const struct ollama_option *o;
	size_t i;

	*renamed = 0;
	if (!name || !*name) {
		say(msg, msglen, "empty option name");
		return NULL;
	}
	o = ollama_option_find(name);
	if (o)
		return o;
	if (!strcmp(name, "batch")) {
		*renamed = 1;
		say(msg, msglen, "option 'batch' is not an Ollama option; sent as 'num_batch'");
		return ollama_option_find("num_batch");
	}
	if (!strcmp(name, "f16_kv")) {
		say(msg, msglen,
		    "option 'f16_kv' was removed in Ollama v0.7.0; KV cache precision is now the "
		    "server setting OLLAMA_KV_CACHE_TYPE (f16, q8_0, q4_0), which needs a server "
		    "restart");
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(removed); i++) {
		if (!strcmp(removed[i].name, name)) {
			say(msg, msglen,
			    "option '%s' was removed in Ollama %s; the server would ignore it",
			    name, removed[i].version);
			return NULL;
		}
	}
	for (i = 0; i < ARRAY_SIZE(options); i++)
		names[i] = options[i].name;
	near = o3_nearest(name, names, ARRAY_SIZE(names));
	if (near)
		say(msg, msglen, "unknown option '%s'; did you mean '%s'?", name, near);
	else
		say(msg, msglen, "unknown option '%s' (Ollama would ignore it)", name);
	return NULL;
}

/* A number outside what the option can mean (num_ctx -5, top_p 2) would be
 * sent and quietly clamped or misread by the server: refuse it here. */
static int out_of_range(const struct ollama_option *o, const cJSON *item, char *msg, size_t msglen)
{
	if (!cJSON_IsNumber(item))
		return 0;
	if (o->min > -ANY && item->valuedouble < o->min) {
		say(msg, msglen, "option '%s' must be at least %g, not %g", o->name, o->min,
		    item->valuedouble);
		return 1;
	}
	if (o->max < ANY && item->valuedouble > o->max) {
		say(msg, msglen, "option '%s' must be at most %g, not %g", o->name, o->max,
		    item->valuedouble);
		return 1;
	}
	return 0;
}

/* "batch" and "num_batch" both given would send one and drop the other. */
static int conflicts(const cJSON *opts, const struct ollama_option *o, int renamed, const char *name,
		     char *msg, size_t msglen)
{
	if (!opts || !renamed || !cJSON_GetObjectItemCaseSensitive(opts, o->name))
		return 0;
	say(msg, msglen, "'%s' given together with '%s': both set %s; keep one", name, o->name,
	    o->name);
	return 1;
}

static int bad_type(const struct ollama_option *o, const char *shown, char *msg, size_t msglen)
{
	say(msg, msglen, "option '%s' must be %s, not '%.64s'", o->name, type_words[o->type], shown);
	return -1;
}

static void put(cJSON *opts, const char *name, cJSON *item)
{
	if (!opts) {
		cJSON_Delete(item);
		return;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(opts, name);
	cJSON_AddItemToObject(opts, name, item);
}

/* The value from its text form, or NULL when it has the wrong type. */
static cJSON *from_text(const struct ollama_option *o, const char *value)
{
	long l;
	double d;

	switch (o->type) {
	case OLLAMA_OPT_INT:
		if (o3_parse_long(value, &l))
			return NULL;
		return cJSON_CreateNumber((double)l);
	case OLLAMA_OPT_FLOAT:
		if (o3_parse_double(value, &d) || !isfinite(d))
			return NULL;
		return cJSON_CreateNumber(d);
	case OLLAMA_OPT_BOOL:
		if (!strcmp(value, "true"))
			return cJSON_CreateTrue();
		if (!strcmp(value, "false"))
			return cJSON_CreateFalse();
		return NULL;
	case OLLAMA_OPT_STRINGS: {
		cJSON *arr = cJSON_CreateArray();
		const char *p = value;
		for (;;) {
			const char *c = strchr(p, ',');
			size_t n = c ? (size_t)(c - p) : strlen(p);
			char *s;
			if (!n) {
				cJSON_Delete(arr);
				return NULL;
			}
			s = xstrndup(p, n);
			cJSON_AddItemToArray(arr, cJSON_CreateString(s));
			free(s);
			if (!c)
				break;
			p = c + 1;
		}
		return arr;
	}
	}
	return NULL;
}

int ollama_option_add(cJSON *opts, const char *name, const char *value, char *msg, size_t msglen)
{
	int renamed;
	const struct ollama_option *o;
	cJSON *item;

	if (msg && msglen)
		msg[0] = '\0';
	o = resolve(name, &renamed, msg, msglen);
	if (!o)
		return -1;
	item = from_text(o, value ? value : "");
	if (!item)
		return bad_type(o, value ? value : "", msg, msglen);
	if (out_of_range(o, item, msg, msglen) || conflicts(opts, o, renamed, name, msg, msglen)) {
		cJSON_Delete(item);
		return -1;
	}
	put(opts, o->name, item);
	return renamed;
}

static int json_ok(const struct ollama_option *o, const cJSON *v)
{
	const cJSON *e;
	switch (o->type) {
	case OLLAMA_OPT_INT:
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		       v->valuedouble == floor(v->valuedouble) &&
		       fabs(v->valuedouble) < 9.007199254740992e15;
	case OLLAMA_OPT_FLOAT:
		return cJSON_IsNumber(v) && isfinite(v->valuedouble);
	case OLLAMA_OPT_BOOL:
		return cJSON_IsBool(v);
	case OLLAMA_OPT_STRINGS:
		if (!cJSON_IsArray(v) || !cJSON_GetArraySize(v))
			return 0;
		cJSON_ArrayForEach(e, v)
			if (!cJSON_IsString(e) || !e->valuestring[0])
				return 0;
		return 1;
	}
	return 0;
}

int ollama_option_add_json(cJSON *opts, const char *name, const cJSON *value, char *msg,
			   size_t msglen)
{
	int renamed;
	const struct ollama_option *o;

	if (msg && msglen)
		msg[0] = '\0';
	o = resolve(name, &renamed, msg, msglen);
	if (!o)
		return -1;
	if (!value || !json_ok(o, value)) {
		char *shown = value ? cJSON_PrintUnformatted(value) : NULL;
		bad_type(o, shown ? shown : "null", msg, msglen);
		cJSON_free(shown);
		return -1;
	}
	if (out_of_range(o, value, msg, msglen) || conflicts(opts, o, renamed, name, msg, msglen))
		return -1;
	put(opts, o->name, cJSON_Duplicate(value, 1));
	return renamed;
}

int ollama_keep_alive_valid(const char *s)
{
	static const char *const units[] = { "ns", "us", "\xc2\xb5s", "ms", "s", "m", "h" };
	const char *p = s;
	long l;
	if (!s || !*s)
		return 0;
	if (!o3_parse_long(s, &l))
		return 1; /* whole seconds */
	if (*p == '-' || *p == '+')
		p++;
	if (!strcmp(p, "0"))
		return 1;
	while (*p) {
		size_t i, best = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9')
				p++, digits++;
		}
		if (!digits)
			return 0;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i]);
			if (!strncmp(p, units[i], n) && n > best)
				best = n; /* "ms" before "m" */
		}
		if (!best)
			return 0;
		p += best;
	}
	return 1;
}
