/* SPDX-License-Identifier: MIT */
#ifndef O3_PROMPT_H
#define O3_PROMPT_H
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/*
 * Prompts for timed requests. Every prompt starts with a unique nonce so that
 * no two share a token prefix: Ollama reuses the KV cache of a shared prefix,
 * which would make TTFT look tiny and prefill look fast.
 *
 * Sizes are asked for in tokens. The tokenizer is the server's, so the text
 * length comes from a characters-per-token ratio that the trial calibrates on
 * prompt_eval_count after each request (prompt_calibrate).
 */
struct prompt_calibration {
	double chars_per_token; /* current estimate; starts at 4.0 */
	double overhead_tokens; /* template tokens the server adds; estimate */
	int samples;            /* observations so far */
};

void prompt_calibration_init(struct prompt_calibration *cal);
/* Characters of body text to ask for target_tokens in total; never more than
 * num_ctx tokens when num_ctx > 0 (a larger prompt is cut by the server). */
size_t prompt_chars_for(const struct prompt_calibration *cal, long target_tokens, long num_ctx);
/* The tokens body_chars should be by the calibration so far; 0 before any sample. */
long prompt_expected_tokens(const struct prompt_calibration *cal, size_t body_chars);

/*
 * The one rule for "the server cut the prompt": it evaluated fewer than
 * PROMPT_TRUNCATED_BELOW of the tokens expected (expected_tokens > 0), or at
 * least PROMPT_CTX_FULL of num_ctx (num_ctx > 0). 1 when cut.
 */
#define PROMPT_TRUNCATED_BELOW 0.75
#define PROMPT_CTX_FULL 0.98
int prompt_truncated(long expected_tokens, long prompt_eval_count, long num_ctx);

/* Characters per token are kept within these whatever the server says. */
#define PROMPT_CPT_MIN 0.5
#define PROMPT_CPT_MAX 16.0

/* Learn from one request: body_chars sent, prompt_eval_count reported,
 * num_ctx the context it ran with (0 = unknown). A sample the server
 * truncated (prompt_truncated) or without a count is refused: returns -1;
 * 0 when learned. */
int prompt_calibrate(struct prompt_calibration *cal, size_t body_chars, long prompt_eval_count,
		     long num_ctx);

/* options' "num_ctx" when it is a positive number, else 0. */
long prompt_num_ctx(const cJSON *options);

/* A fresh prompt of about body_chars characters in all: nonce line, filler
 * text and a closing instruction. seed makes the text reproducible; nonce makes it
 * unique. Returns malloced text. */
char *prompt_build(size_t body_chars, uint64_t seed, uint64_t nonce);

/*
 * A needle-in-a-haystack prompt of about body_chars characters: the sentence
 * "The secret passphrase is WORD." hidden at about position (0..1) of the
 * filler, and a question about it at the end. A model that really holds and
 * uses the whole context answers WORD. *word receives the passphrase
 * (malloced). Returns malloced text.
 */
char *prompt_build_needle(size_t body_chars, uint64_t seed, uint64_t nonce, double position,
			  char **word);
/* 1 when answer holds word (case-insensitive, as a whole word). */
int prompt_needle_found(const char *answer, const char *word);

/* A nonce that differs between calls and between processes. */
uint64_t prompt_nonce(void);

#endif
