// SPDX-License-Identifier: MIT
#include "prompt.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include "clock.h"
#include "strbuf.h"
#include "banned.h"

static const char *const words[] = {
	"river", "system", "memory", "signal", "window", "garden", "engine", "morning",
	"letter", "station", "number", "market", "silver", "pattern", "record", "island",
	"teacher", "circuit", "harbor", "lantern", "forest", "measure", "cabinet", "orbit",
	"thunder", "journal", "village", "compass", "kernel", "ladder", "meadow", "puzzle",
	"anchor", "battery", "canyon", "dialect", "element", "fabric", "granite", "horizon",
	"insect", "jacket", "kettle", "library", "mirror", "needle", "octave", "pepper",
	"quartz", "rocket", "saddle", "tunnel", "umbrella", "velvet", "walnut", "yellow",
	"zephyr", "bridge", "copper", "desert", "echo", "falcon", "glacier", "hammer",
};

static const char closing[] =
	"\n\nRead the notes above and write a long, detailed summary of them.";
static const char question[] =
	"\n\nAnswer with the passphrase only. What is the secret passphrase given in the notes above?";

void prompt_calibration_init(struct prompt_calibration *cal)
{
	cal->chars_per_token = 4.0;
	cal->overhead_tokens = 0;
	cal->samples = 0;
}

long prompt_num_ctx(const cJSON *options)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(options, "num_ctx");
	return cJSON_IsNumber(v) && v->valuedouble > 0 ? (long)v->valuedouble : 0;
}

size_t prompt_chars_for(const struct prompt_calibration *cal, long target_tokens, long num_ctx)
{
	double body_tokens;
	/* a prompt larger than the context is cut by the server: never ask for one */
	if (num_ctx > 0 && target_tokens > num_ctx)
		target_tokens = num_ctx;
	body_tokens = (double)target_tokens - cal->overhead_tokens;
	if (body_tokens < 8)
		body_tokens = 8;
	return (size_t)(body_tokens * cal->chars_per_token);
}

long prompt_expected_tokens(const struct prompt_calibration *cal, size_t body_chars)
{
	return cal->samples ? (long)((double)body_chars / cal->chars_per_token) : 0;
}

int prompt_truncated(long expected_tokens, long prompt_eval_count, long num_ctx)
{
	if (prompt_eval_count < 0)
		return 0;
	return (expected_tokens > 0 &&
		(double)prompt_eval_count < PROMPT_TRUNCATED_BELOW * (double)expected_tokens) ||
	       (num_ctx > 0 && (double)prompt_eval_count >= PROMPT_CTX_FULL * (double)num_ctx);
}

int prompt_calibrate(struct prompt_calibration *cal, size_t body_chars, long prompt_eval_count,
		     long num_ctx)
{
	double ratio;
	if (prompt_eval_count <= 0 || body_chars == 0)
		return -1;
	/* a prompt the server cut says nothing of its tokenizer: learning from
	 * it would grow every later prompt (geometrically, request after request) */
	if (prompt_truncated(prompt_expected_tokens(cal, body_chars), prompt_eval_count, num_ctx))
		return -1;
	/*
	 * One unknown (the template overhead) cannot be told apart from the
	 * ratio with one size, so the ratio absorbs it; trials ask for one
	 * size again and again, where that is exact. Blend so that a single
	 * odd reading does not swing the estimate.
	 */
	ratio = (double)body_chars / (double)prompt_eval_count;
	if (ratio < PROMPT_CPT_MIN)
		ratio = PROMPT_CPT_MIN;
	if (ratio > PROMPT_CPT_MAX)
		ratio = PROMPT_CPT_MAX;
	if (cal->samples == 0)
		cal->chars_per_token = ratio;
	else
		cal->chars_per_token = 0.5 * cal->chars_per_token + 0.5 * ratio;
	cal->samples++;
	return 0;
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t prompt_nonce(void)
{
	static uint64_t counter;
	uint64_t s = clock_now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)time(NULL);
	s += ++counter * 0x2545f4914f6cdd1dull;
	return splitmix64(&s);
}

static void filler(struct strbuf *sb, size_t until, uint64_t *state, size_t *sentence)
{
	while (sb->len < until) {
		const char *w = words[splitmix64(state) % (sizeof(words) / sizeof(words[0]))];
		if (*sentence == 0) {
			/* capitalise the first word of a sentence */
			strbuf_addch(sb, (char)(w[0] - 'a' + 'A'));
			strbuf_addstr(sb, w + 1);
		} else {
			strbuf_addch(sb, ' ');
			strbuf_addstr(sb, w);
		}
		if (++*sentence >= 8 + splitmix64(state) % 8) {
			strbuf_addstr(sb, ". ");
			*sentence = 0;
		}
	}
}

char *prompt_build_needle(size_t body_chars, uint64_t seed, uint64_t nonce, double position,
			  char **word)
{
	static const char *const syllables[] = { "ka", "lo", "mi", "ru", "te", "vo", "zi", "pa" };
	struct strbuf sb = STRBUF_INIT, w = STRBUF_INIT;
	uint64_t state = seed ^ nonce;
	size_t sentence = 0, at;
	int i;

	/* a made-up word: no model knows it beforehand */
	for (i = 0; i < 4; i++)
		strbuf_addstr(&w, syllables[splitmix64(&state) % 8]);
	if (position < 0)
		position = 0;
	if (position > 1)
		position = 1;
	strbuf_addf(&sb, "Session %016" PRIx64 ". Notes:\n", nonce);
	at = sb.len + (size_t)((double)body_chars * position);
	filler(&sb, at, &state, &sentence);
	strbuf_addf(&sb, "%sThe secret passphrase is %s. ", sentence ? ". " : "", w.buf);
	sentence = 0;
	filler(&sb, body_chars > sizeof(question) ? body_chars - (sizeof(question) - 1) : 0, &state,
	       &sentence);
	strbuf_addstr(&sb, question);
	*word = strbuf_detach(&w, NULL);
	return strbuf_detach(&sb, NULL);
}

int prompt_needle_found(const char *answer, const char *word)
{
	size_t wl = strlen(word);
	const char *p;
	if (!wl)
		return 0;
	for (p = answer; *p; p++) {
		if (!strncasecmp(p, word, wl) && (p == answer || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[wl]))
			return 1;
	}
	return 0;
}

char *prompt_build(size_t body_chars, uint64_t seed, uint64_t nonce)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t state = seed;
	size_t sentence = 0;

	strbuf_addf(&sb, "Session %016" PRIx64 ". Notes:\n", nonce);
	/* the closing instruction counts toward the size asked for */
	filler(&sb, body_chars > sizeof(closing) ? body_chars - (sizeof(closing) - 1) : 0, &state,
	       &sentence);
	strbuf_addstr(&sb, closing);
	return strbuf_detach(&sb, NULL);
}
