// SPDX-License-Identifier: MIT
/*
 * Failure classes of the Ollama client and the classification of the
 * server's error texts (reference: ollama.md §1.5 and §5).
 *
 * The rules, first match wins:
 *
 *  1. midstream (an {"error"} line after content chunks on a 200)
 *                                         -> midstream_error, whatever the
 *     text says: the stream had delivered content, so the failure happened
 *     while generating; the text is kept in the message, and a caller who
 *     wants to know what it says can classify it again with midstream 0.
 *  2. HTTP 404                            -> not_found
 *  3. HTTP 429 or 503                     -> busy
 *  4. HTTP 400: an option type error      -> invalid_option, else bad_request
 *  5. by text, any other status (500, 0 for an error line in a 200 stream
 *     before any chunk, as servers up to v0.12.5 send them):
 *     an out-of-memory text (a refusal before allocating, or an
 *     allocation failure; oom_texts below)
 *                                         -> oom, even inside a wrapper:
 *                                            "llama runner process has
 *                                            terminated: ...", "llama-server
 *                                            process has terminated: ...",
 *                                            "timed out waiting for ... to
 *                                            start - <last error>", "an error
 *                                            was encountered while running the
 *                                            model: ..." (OOM wins over crash
 *                                            and load timeout, as Ollama's own
 *                                            IsOutOfMemory decides at HEAD)
 *     "timed out waiting for llama runner/llama-server to start"
 *                                         -> load_timeout
 *     runner termination texts, GGML_ASSERT, panic:, "an error was
 *     encountered while running the model" (not mid-stream)
 *                                         -> runner_crash
 *     'option "x" must be of type ...' (HTTP 500 from api.FromMap) or
 *     "Go struct field Options.x"         -> invalid_option
 *     "server busy", "overloaded", "rate limit"
 *                                         -> busy
 *     "not found"                         -> not_found
 *  6. any other 4xx                       -> bad_request
 *  7. anything else (an unknown 5xx, or an unknown error line)
 *                                         -> runner_crash.
 *     The closed set has no "server error" class. Ollama answers 500 from
 *     handleScheduleError's default branch and from Completion(): the
 *     places where a runner that failed to load or to run reports. So an
 *     unknown 5xx is a server-side failure of this request with this
 *     configuration, which is what runner_crash makes the caller do (record
 *     it, move on), and the server's own text stays in the message.
 *     protocol was rejected: it says the response was malformed, which it
 *     was not, and it would make a search treat a failing configuration as
 *     a broken server.
 */
#include "ollama.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "banned.h"

static const char *const class_names[OLLAMA_ERR__COUNT] = {
	[OLLAMA_OK] = "ok",
	[OLLAMA_ERR_UNREACHABLE] = "unreachable",
	[OLLAMA_ERR_NOT_FOUND] = "not_found",
	[OLLAMA_ERR_BAD_REQUEST] = "bad_request",
	[OLLAMA_ERR_INVALID_OPTION] = "invalid_option",
	[OLLAMA_ERR_OOM] = "oom",
	[OLLAMA_ERR_RUNNER_CRASH] = "runner_crash",
	[OLLAMA_ERR_LOAD_TIMEOUT] = "load_timeout",
	[OLLAMA_ERR_BUSY] = "busy",
	[OLLAMA_ERR_CLIENT_TIMEOUT] = "client_timeout",
	[OLLAMA_ERR_PROTOCOL] = "protocol",
	[OLLAMA_ERR_MIDSTREAM_ERROR] = "midstream_error",
	[OLLAMA_ERR_REFUSED] = "refused",
	[OLLAMA_ERR_HARNESS_CRASH] = "harness_crash",
	[OLLAMA_ERR_INTERRUPTED] = "interrupted",
};

const char *ollama_err_class_name(enum ollama_err_class cls)
{
	if ((unsigned)cls >= OLLAMA_ERR__COUNT)
		return "unknown";
	return class_names[cls];
}

int ollama_err_class_from_name(const char *name)
{
	int i;
	if (!name)
		return -1;
	for (i = 0; i < OLLAMA_ERR__COUNT; i++)
		if (!strcmp(name, class_names[i]))
			return i;
	return -1;
}

/*
 * Out-of-memory texts, matched case-insensitively anywhere in the message
 * (Ollama capitalises some, llama.cpp and the GPU runtimes others, and the
 * scheduler wraps runner texts in "llama runner process has terminated: ..."
 * or "llama-server ...: ..."). The texts, where Ollama makes them or
 * forwards them, and the versions that have them are listed in
 * fixtures/replay/ollama/errors/README.md; every one is replayed by
 * tests/test_ollama_errors_replay.c. HEAD llm/status.go IsOutOfMemoryMessage
 * (v0.30.0+) is Ollama's own list: each of its needles is here too.
 */
static const char *const oom_texts[] = {
	/* refusals before allocating (the scheduler's and the layout's checks) */
	"requires more system memory",   /* v0.2.2-v0.24: (A) than is available (B);
					    v0.12.7-v0.24: ... than is currently available */
	"is too large for this system",  /* v0.2.0-v0.2.1: requested model (A) is ... (B) */
	"unable to load full model on gpu", /* llm.ErrLoadRequiredFull, v0.11.5+ */
	"memory layout cannot be allocated", /* v0.11.5-v0.24 (also "with num_gpu = N") */
	"failed to commit memory for model", /* v0.11.5-v0.24 */
	"not have enough available memory", /* v0.1.4-v0.1.17: llama runner exited, you may ... */
	"insufficient memory",           /* ml.ErrNoMem v0.7.1+; image generation; Metal */
	/* allocation failures: Ollama, llama.cpp/ggml, CUDA, ROCm, Vulkan, Metal */
	"cudamalloc failed",
	"hipmalloc failed",
	"failed to allocate",            /* ggml_gallocr_reserve_n, cpu buffer, "... memory for model" */
	"unable to allocate",            /* ... CUDA0 / ROCm0 / backend buffer */
	"allocation failed",             /* compute buffer allocation failed */
	"memory allocation of size",     /* ggml_vulkan: Device memory allocation of size N failed. */
	"out of memory",                 /* CUDA error: out of memory, ROCm error: ... */
	"out of device memory",
	"out of host memory",
	"out-of-memory",                 /* llama-server reported out-of-memory during startup */
	"vk_error_out_of_device_memory",
	"vk_error_out_of_host_memory",
	"erroroutofdevicememory",        /* vulkan-hpp: vk::Device::allocateMemory: ErrorOutOfDeviceMemory */
	"erroroutofhostmemory",
	"erroroutofmemory",              /* hipErrorOutOfMemory, kIOGPUCommandBufferCallbackErrorOutOfMemory */
	"cudaerrormemoryallocation",
	"cublas_status_alloc_failed",
	"not enough memory",             /* Windows: Not enough memory resources are available ... */
	"cannot allocate memory",        /* ENOMEM: mmap failed: Cannot allocate memory */
	"paging file is too small",      /* Windows commit limit */
	"std::bad_alloc",
};

/* Texts whose two parts are each too common alone. */
static const struct {
	const char *a, *b;
} oom_pairs[] = {
	/* v0.0.15-v0.1.18: [F16 ]model requires at least 8GB of [total ]memory */
	{ "model requires at least", "memory" },
	/* v0.18.2+ (MLX runner, image generation):
	   model requires A but only B are available (after C overhead) */
	{ "model requires", "but only" },
};

static const char *const load_timeout_texts[] = {
	"timed out waiting for llama runner to start",
	"timed out waiting for llama-server to start",
};

static const char *const crash_texts[] = {
	"llama runner process has terminated",
	"llama runner exited",
	"llama-server process has terminated",
	"process no longer running",
	"unexpectedly stopped",
	"ggml_assert",
	"panic:",
	"an error was encountered while running the model",
	"llama-server startup failed",
	"segmentation fault",
};

static const char *const busy_texts[] = {
	"server busy",
	"overloaded",
	"rate limit",
	"maximum pending requests",
};

static int has(const char *msg, const char *needle)
{
	size_t n = strlen(needle);
	for (; *msg; msg++)
		if (!strncasecmp(msg, needle, n))
			return 1;
	return 0;
}

static int has_any(const char *msg, const char *const *needles, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (has(msg, needles[i]))
			return 1;
	return 0;
}

static int is_oom(const char *msg)
{
	size_t i;
	if (has_any(msg, oom_texts, ARRAY_SIZE(oom_texts)))
		return 1;
	for (i = 0; i < ARRAY_SIZE(oom_pairs); i++)
		if (has(msg, oom_pairs[i].a) && has(msg, oom_pairs[i].b))
			return 1;
	return 0;
}

static int is_option_error(const char *msg)
{
	/* HEAD api/types.go FromMap: option "num_ctx" must be of type integer */
	if (has(msg, "option \"") && has(msg, "must be of type"))
		return 1;
	/* old servers decoded options into a struct */
	return has(msg, "go struct field options.");
}

enum ollama_err_class ollama_classify(long http_status, const char *message, int midstream)
{
	const char *msg = message ? message : "";

	if (midstream)
		return OLLAMA_ERR_MIDSTREAM_ERROR;
	if (http_status == 404)
		return OLLAMA_ERR_NOT_FOUND;
	if (http_status == 429 || http_status == 503)
		return OLLAMA_ERR_BUSY;
	if (http_status == 400)
		return is_option_error(msg) ? OLLAMA_ERR_INVALID_OPTION : OLLAMA_ERR_BAD_REQUEST;

	if (is_oom(msg))
		return OLLAMA_ERR_OOM;
	if (has_any(msg, load_timeout_texts, ARRAY_SIZE(load_timeout_texts)))
		return OLLAMA_ERR_LOAD_TIMEOUT;
	if (has_any(msg, crash_texts, ARRAY_SIZE(crash_texts)))
		return OLLAMA_ERR_RUNNER_CRASH;
	if (is_option_error(msg))
		return OLLAMA_ERR_INVALID_OPTION;
	if (has_any(msg, busy_texts, ARRAY_SIZE(busy_texts)))
		return OLLAMA_ERR_BUSY;
	if (has(msg, "not found"))
		return OLLAMA_ERR_NOT_FOUND;
	if (http_status >= 400 && http_status < 500)
		return OLLAMA_ERR_BAD_REQUEST;
	return OLLAMA_ERR_RUNNER_CRASH;
}

void ollama_error_clear(struct ollama_error *err)
{
	if (!err)
		return;
	err->cls = OLLAMA_OK;
	err->http_status = 0;
	err->message[0] = '\0';
}

void ollama_error_set(struct ollama_error *err, enum ollama_err_class cls,
		      long http_status, const char *fmt, ...)
{
	va_list ap;
	if (!err)
		return;
	err->cls = cls;
	err->http_status = http_status;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
}
