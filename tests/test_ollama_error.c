// SPDX-License-Identifier: MIT
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ollama.h"
#include "replay_server.h"

static const struct cls_case {
	long status;
	int midstream;
	const char *text;
	enum ollama_err_class want;
} cases[] = {
	/* ollama.md §1.5 */
	{ 400, 0, "missing request body", OLLAMA_ERR_BAD_REQUEST },
	{ 400, 0, "invalid character 'm' looking for beginning of object key string",
	  OLLAMA_ERR_BAD_REQUEST },
	{ 400, 0, "json: cannot unmarshal string into Go struct field ChatRequest.messages of type api.Message",
	  OLLAMA_ERR_BAD_REQUEST },
	{ 404, 0, "model '' not found", OLLAMA_ERR_NOT_FOUND },
	{ 404, 0, "model 'qwen3-coder:30b' not found", OLLAMA_ERR_NOT_FOUND },
	{ 400, 0, "model is required", OLLAMA_ERR_BAD_REQUEST },
	{ 400, 0, "invalid model name", OLLAMA_ERR_BAD_REQUEST },
	{ 404, 0, "model \"llama3\" not found, try pulling it first", OLLAMA_ERR_NOT_FOUND },
	{ 0, 0, "model \"llama3\" not found, try pulling it first", OLLAMA_ERR_NOT_FOUND },
	{ 400, 0, "\"bert\" does not support generate", OLLAMA_ERR_BAD_REQUEST },
	{ 400, 0, "\"bert\" does not support chat", OLLAMA_ERR_BAD_REQUEST },
	{ 400, 0, "registry.ollama.ai/library/test:latest does not support insert",
	  OLLAMA_ERR_BAD_REQUEST },
	{ 400, 0, "\"test\" does not support thinking", OLLAMA_ERR_BAD_REQUEST },
	{ 500, 0, "option \"num_ctx\" must be of type integer", OLLAMA_ERR_INVALID_OPTION },
	{ 500, 0, "option \"use_mmap\" must be of type boolean", OLLAMA_ERR_INVALID_OPTION },
	{ 500, 0, "option \"temperature\" must be of type float32", OLLAMA_ERR_INVALID_OPTION },
	{ 500, 0, "option \"stop\" must be of type an array of strings", OLLAMA_ERR_INVALID_OPTION },
	{ 400, 0, "option \"num_ctx\" must be of type integer", OLLAMA_ERR_INVALID_OPTION },
	{ 400, 0, "json: cannot unmarshal string into Go struct field Options.num_ctx of type int",
	  OLLAMA_ERR_INVALID_OPTION },
	{ 503, 0, "server busy, please try again.  maximum pending requests exceeded", OLLAMA_ERR_BUSY },
	{ 0, 0, "server busy, please try again.  maximum pending requests exceeded", OLLAMA_ERR_BUSY },
	{ 503, 0, "model is overloaded", OLLAMA_ERR_BUSY },
	{ 429, 0, "rate limit exceeded", OLLAMA_ERR_BUSY },
	{ 499, 0, "request canceled", OLLAMA_ERR_BAD_REQUEST },
	{ 405, 0, "405 method not allowed", OLLAMA_ERR_BAD_REQUEST },
	{ 400, 0, "raw mode does not support template, system, or context", OLLAMA_ERR_BAD_REQUEST },
	{ 400, 0, "top_logprobs must be between 0 and 20", OLLAMA_ERR_BAD_REQUEST },
	{ 400, 0, "time: invalid duration \"abc\"", OLLAMA_ERR_BAD_REQUEST },
	/* mid-stream (v0.12.6+: a line after chunks, status stays 200) */
	{ 0, 1, "an error was encountered while running the model", OLLAMA_ERR_MIDSTREAM_ERROR },
	{ 0, 1, "an error was encountered while running the model: unexpected EOF",
	  OLLAMA_ERR_MIDSTREAM_ERROR },
	{ 0, 1, "model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details",
	  OLLAMA_ERR_MIDSTREAM_ERROR },
	{ 0, 1, "CUDA error: out of memory", OLLAMA_ERR_MIDSTREAM_ERROR },
	/* the same texts as a whole response */
	{ 500, 0, "an error was encountered while running the model: unexpected EOF",
	  OLLAMA_ERR_RUNNER_CRASH },
	{ 0, 0, "an error was encountered while running the model: unexpected EOF",
	  OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details: exit status 2",
	  OLLAMA_ERR_RUNNER_CRASH },
	/* §5, legacy era (llama runner) */
	{ 500, 0, "model requires more system memory (164.8 GiB) than is available (13.4 GiB)",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "model requires more system memory (18.4 GiB) than is available (14.6 GiB)",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "requested model requires more system memory (86.8 GiB) than is available (62.5 GiB)",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: exit status 2", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama runner process has terminated: exit status 1", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama runner process has terminated: GGML_ASSERT(tensor->op == GGML_OP_UNARY) failed",
	  OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 35533.34 MiB on device 0: cudaMalloc failed: out of memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama_model_load: error loading model: unable to allocate CUDA0 buffer",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process no longer running: -1 cudaMalloc failed: out of memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: error loading model: unable to allocate backend buffer",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama_model_load: error loading model: unable to allocate ROCm0 buffer",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "ggml_gallocr_reserve_n: failed to allocate ROCm0 buffer of size 866125824",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: CUDA error: out of memory", OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: vk_error_out_of_device_memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: VK_ERROR_OUT_OF_DEVICE_MEMORY",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "timed out waiting for llama runner to start - progress 0.00 -",
	  OLLAMA_ERR_LOAD_TIMEOUT },
	{ 500, 0, "timed out waiting for llama runner to start - progress 1.00 -",
	  OLLAMA_ERR_LOAD_TIMEOUT },
	{ 500, 0, "llama runner process no longer running: 1 ", OLLAMA_ERR_RUNNER_CRASH },
	/* §5, llama-server era (v0.30+) */
	{ 500, 0, "timed out waiting for llama-server to start", OLLAMA_ERR_LOAD_TIMEOUT },
	{ 500, 0, "timed out waiting for llama-server to start -", OLLAMA_ERR_LOAD_TIMEOUT },
	{ 500, 0, "timed out waiting for llama-server to start: context canceled",
	  OLLAMA_ERR_LOAD_TIMEOUT },
	{ 500, 0, "llama-server process has terminated: exit status 0xe06d7363: NTSTATUS 0xe06d7363",
	  OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama-server process has terminated: GGML_ASSERT(n_inputs < GGML_SCHED_MAX_SPLIT_INPUTS) failed",
	  OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama-server startup failed before projector CPU offload retry: llama-server reported out-of-memory during startup: ggml_backend_cpu_buffer_type_alloc_buffer: failed to allo",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server reported out-of-memory during startup: cudaMalloc failed: out of memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process no longer running: exit status 1", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama-server process has terminated: error: failed to allocate CUDA0 buffer",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "panic: unable to create llama context", OLLAMA_ERR_RUNNER_CRASH },
	/*
	 * Every memory refusal and allocation failure (the table with versions
	 * and provenance: fixtures/replay/ollama/errors/; replayed through the
	 * client in test_ollama_errors_replay.c). Here: the forms the table has
	 * no room for, other cases and wrappers, and non-memory look-alikes.
	 */
	/* refusals before allocating, every era */
	{ 500, 0, "requested model (18.4 GiB) is too large for this system (6.8 GiB)", OLLAMA_ERR_OOM },
	{ 500, 0, "model requires more system memory than is currently available unable to load full model on GPU",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "unable to load full model on GPU", OLLAMA_ERR_OOM },
	{ 500, 0, "memory layout cannot be allocated with num_gpu = 999", OLLAMA_ERR_OOM },
	{ 500, 0, "memory layout cannot be allocated", OLLAMA_ERR_OOM },
	{ 500, 0, "failed to commit memory for model", OLLAMA_ERR_OOM },
	{ 500, 0, "failed to allocate memory for model", OLLAMA_ERR_OOM },
	{ 500, 0, "model requires 30.1 GiB but only 22.5 GiB are available (after 457.0 MiB overhead)",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "insufficient memory for image generation: need 24 GB, have 16 GB", OLLAMA_ERR_OOM },
	{ 500, 0, "model requires at least 8GB of memory", OLLAMA_ERR_OOM },
	{ 500, 0, "F16 model requires at least 512GB of memory", OLLAMA_ERR_OOM },
	{ 500, 0, "model requires at least 16 GB of memory", OLLAMA_ERR_OOM },
	{ 500, 0, "model requires at least 4.1 GB of total memory", OLLAMA_ERR_OOM },
	{ 0, 0, "llama runner exited, you may not have enough available memory to run this model",
	  OLLAMA_ERR_OOM },
	/* ml.ErrNoMem, ollamarunner v0.7.1-v0.11.4 */
	{ 500, 0, "llama runner process has terminated: panic: insufficient memory - required allocations: {InputWeights:0B CPU:{Name:CPU} GPUs:[]}",
	  OLLAMA_ERR_OOM },
	/* ggml / llama.cpp / runtimes, as the status writer keeps them */
	{ 500, 0, "llama runner process has terminated: error loading model: unable to allocate Vulkan0 buffer",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: ROCm error: out of memory", OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: ggml_backend_cuda_buffer_type_alloc_buffer: allocating 1024.00 MiB on device 0: hipMalloc failed: out of memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: ROCm error: hipErrorOutOfMemory", OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: CUDA error: cudaErrorMemoryAllocation",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: CUDA error: CUBLAS_STATUS_ALLOC_FAILED",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: error: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process has terminated: exit status 1: ggml_vulkan: Device memory allocation of size 4294967296 failed.",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process has terminated: exit status 1: ggml_vulkan: vk::Device::allocateMemory: ErrorOutOfDeviceMemory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process has terminated: exit status 1: Requested buffer size exceeds device buffer size limit: ErrorOutOfDeviceMemory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process has terminated: exit status 1: vk::Device::allocateMemory: ErrorOutOfHostMemory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process has terminated: exit status 1: graph_reserve: failed to allocate compute buffers",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process has terminated: exit status 1: llama_init_from_model: failed to initialize the context: failed to allocate compute pp buffers",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process has terminated: exit status 1: ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size 2566914048",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process has terminated: exit status 1: llama_context: compute buffer allocation failed, retrying without pipeline parallelism",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: error loading model: mmap failed: Cannot allocate memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: error loading model: MapViewOfFile failed: Not enough memory resources are available to process this command.",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama runner process has terminated: error loading model: The paging file is too small for this operation to complete.",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process has terminated: exit status 3: terminate called after throwing an instance of 'std::bad_alloc'\n  what():  std::bad_alloc",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "an error was encountered while running the model: GGML status: error (failed to allocate memory)",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "{\"error\":{\"code\":500,\"message\":\"Compute error.\",\"type\":\"server_error\"}}\ncudaMalloc failed: out of memory",
	  OLLAMA_ERR_OOM },
	/* an oom text wins over the wrapper it comes in */
	{ 500, 0, "timed out waiting for llama runner to start - progress 0.97 - CUDA error: out of memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "timed out waiting for llama-server to start - cudaMalloc failed: out of memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server process no longer running: exit status 1 cudaMalloc failed: out of memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "model runner has unexpectedly stopped, this may be due to resource limitations or an internal error, check ollama server logs for details: cudaMalloc failed: out of memory",
	  OLLAMA_ERR_OOM },
	{ 500, 0, "llama-server startup failed after projector CPU offload retry: llama-server reported out-of-memory during startup: ggml_gallocr_reserve_n: failed to allocate CUDA0 buffer of size 2566914048",
	  OLLAMA_ERR_OOM },
	/* any case */
	{ 500, 0, "LLAMA RUNNER PROCESS HAS TERMINATED: CUDAMALLOC FAILED: OUT OF MEMORY", OLLAMA_ERR_OOM },
	{ 500, 0, "Model Requires More System Memory (9 GiB) Than Is Available (8 GiB)", OLLAMA_ERR_OOM },
	{ 500, 0, "Requested Model (9 GiB) Is Too Large For This System (8 GiB)", OLLAMA_ERR_OOM },
	{ 500, 0, "LLAMA-SERVER REPORTED OUT-OF-MEMORY DURING STARTUP: x", OLLAMA_ERR_OOM },
	{ 500, 0, "Memory Layout Cannot Be Allocated", OLLAMA_ERR_OOM },
	/* not memory */
	{ 500, 0, "llama runner process has terminated: exit status 0xc0000409", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama runner process has terminated: signal: killed", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama runner process has terminated: error:fault", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama runner process has terminated: error loading model: error loading model vocabulary: unknown pre-tokenizer type: 'x'",
	  OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama runner exited: segmentation fault", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "could not find a kv cache slot", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "decode: failed to find a memory slot for batch of size 512", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "llama-server process has terminated: exit status 1: common_fit_params: failed to fit params to free device memory: n_gpu_layers already set by user to 999, abort",
	  OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "context length exceeded", OLLAMA_ERR_RUNNER_CRASH },
	{ 400, 0, "input length exceeds the context length", OLLAMA_ERR_BAD_REQUEST },
	{ 500, 0, "input exceeds maximum context length and cannot be truncated further",
	  OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "requested context size too large for model", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "{\"error\":{\"code\":500,\"message\":\"Compute error.\",\"type\":\"server_error\"}}",
	  OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, "model 'llama3' not found", OLLAMA_ERR_NOT_FOUND },
	{ 500, 0, "timed out waiting for llama-server to start: context canceled", OLLAMA_ERR_LOAD_TIMEOUT },
	{ 500, 0, "Claude Desktop requires at least one model", OLLAMA_ERR_RUNNER_CRASH },
	/* a mid-stream memory text stays mid-stream (rule 1) */
	{ 0, 1, "llama runner process has terminated: cudaMalloc failed: out of memory",
	  OLLAMA_ERR_MIDSTREAM_ERROR },
	/* unknown */
	{ 500, 0, "the model failed to generate a response", OLLAMA_ERR_RUNNER_CRASH },
	{ 502, 0, "Bad Gateway", OLLAMA_ERR_RUNNER_CRASH },
	{ 418, 0, "I'm a teapot", OLLAMA_ERR_BAD_REQUEST },
	{ 500, 0, "", OLLAMA_ERR_RUNNER_CRASH },
	{ 500, 0, NULL, OLLAMA_ERR_RUNNER_CRASH },
};

START_TEST(test_classify_table)
{
	const struct cls_case *tc = &cases[_i];
	enum ollama_err_class got = ollama_classify(tc->status, tc->text, tc->midstream);
	ck_assert_msg(got == tc->want, "%ld '%s' (midstream %d): got %s, want %s", tc->status,
		      tc->text ? tc->text : "(null)", tc->midstream, ollama_err_class_name(got),
		      ollama_err_class_name(tc->want));
}
END_TEST

/*
 * The sample files: the error text is the value of "error" (JSON) or the
 * line after "Error: " or the last error-looking line (logs and CLI output).
 */
static const struct file_case {
	const char *name;
	long status;
	enum ollama_err_class want;
} files[] = {
	{ "docs_errors_error_body.json", 500, OLLAMA_ERR_RUNNER_CRASH },
	{ "test_chat_does_not_support_chat_400.json", 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_chat_missing_model_400.json", 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_chat_model_cannot_think_400.json", 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_generate_does_not_support_generate_400.json", 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_generate_does_not_support_insert_400.json", 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_generate_empty_model_404.json", 404, OLLAMA_ERR_NOT_FOUND },
	{ "test_missing_request_body_400.json", 400, OLLAMA_ERR_BAD_REQUEST },
	{ "test_runner_status_error_nonstream_503.json", 503, OLLAMA_ERR_BUSY },
	{ "test_runner_status_error_stream_before_first_chunk_429.json", 429, OLLAMA_ERR_BUSY },
	{ "test_top_logprobs_out_of_range_400.json", 400, OLLAMA_ERR_BAD_REQUEST },
	{ "issue10920_model_requires_more_system_memory_cli.txt", 500, OLLAMA_ERR_OOM },
	{ "issue15043_v_cache_quantization_requires_flash_attn_log.txt", 500,
	  OLLAMA_ERR_RUNNER_CRASH },
	{ "issue16132_timed_out_waiting_llama_server_v030.txt", 500, OLLAMA_ERR_LOAD_TIMEOUT },
	{ "issue8258_error_encountered_while_running_unexpected_EOF_cli.txt", 500,
	  OLLAMA_ERR_RUNNER_CRASH },
	{ "issue8447_cudamalloc_failed_unable_to_allocate_CUDA0_buffer_log.txt", 500,
	  OLLAMA_ERR_OOM },
};

START_TEST(test_classify_files)
{
	const struct file_case *fc = &files[_i];
	size_t len;
	char *text = replay_fixture_read(fc->name, &len);
	const char *msg;
	cJSON *doc;
	enum ollama_err_class got;

	ck_assert_msg(text != NULL, "cannot read %s (O3_SOURCE_ROOT set?)", fc->name);
	doc = cJSON_ParseWithLength(text, len);
	if (doc) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
		ck_assert_msg(cJSON_IsString(e), "%s has no error string", fc->name);
		msg = e->valuestring;
	} else {
		/* a log or CLI transcript: the whole text is the message */
		msg = text;
	}
	got = ollama_classify(fc->status, msg, 0);
	ck_assert_msg(got == fc->want, "%s: got %s, want %s", fc->name, ollama_err_class_name(got),
		      ollama_err_class_name(fc->want));
	cJSON_Delete(doc);
	free(text);
}
END_TEST

START_TEST(test_midstream_sample)
{
	size_t len;
	char *text = replay_fixture_read("docs_errors_midstream_error.ndjson", &len);
	char *last;
	cJSON *doc;
	const cJSON *e;

	ck_assert_ptr_nonnull(text);
	text[len - 1] = text[len - 1] == '\n' ? '\0' : text[len - 1];
	last = strrchr(text, '\n') + 1;
	doc = cJSON_Parse(last);
	e = cJSON_GetObjectItemCaseSensitive(doc, "error");
	ck_assert(cJSON_IsString(e));
	ck_assert_int_eq(ollama_classify(0, e->valuestring, 1), OLLAMA_ERR_MIDSTREAM_ERROR);
	ck_assert_int_eq(ollama_classify(0, e->valuestring, 0), OLLAMA_ERR_RUNNER_CRASH);
	cJSON_Delete(doc);
	free(text);
}
END_TEST

START_TEST(test_names_round_trip)
{
	static const char *const names[] = {
		"ok", "unreachable", "not_found", "bad_request", "invalid_option", "oom",
		"runner_crash", "load_timeout", "busy", "client_timeout", "protocol",
		"midstream_error", "refused", "harness_crash", "interrupted",
	};
	int i;
	ck_assert_int_eq((int)(sizeof(names) / sizeof(names[0])), OLLAMA_ERR__COUNT);
	for (i = 0; i < OLLAMA_ERR__COUNT; i++) {
		ck_assert_str_eq(ollama_err_class_name((enum ollama_err_class)i), names[i]);
		ck_assert_int_eq(ollama_err_class_from_name(names[i]), i);
	}
	ck_assert_int_eq(ollama_err_class_from_name("OOM"), -1);
	ck_assert_int_eq(ollama_err_class_from_name(""), -1);
	ck_assert_int_eq(ollama_err_class_from_name(NULL), -1);
	ck_assert_str_eq(ollama_err_class_name(OLLAMA_ERR__COUNT), "unknown");
}
END_TEST

START_TEST(test_error_set_clear)
{
	struct ollama_error e;
	char big[2 * OLLAMA_ERRMSG_MAX];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ollama_error_set(&e, OLLAMA_ERR_OOM, 500, "%s", big);
	ck_assert_int_eq(e.cls, OLLAMA_ERR_OOM);
	ck_assert_int_eq(e.http_status, 500);
	ck_assert_uint_eq(strlen(e.message), OLLAMA_ERRMSG_MAX - 1);
	ollama_error_clear(&e);
	ck_assert_int_eq(e.cls, OLLAMA_OK);
	ck_assert_int_eq(e.http_status, 0);
	ck_assert_str_eq(e.message, "");
	ollama_error_set(NULL, OLLAMA_ERR_OOM, 0, "ignored");
	ollama_error_clear(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ollama_error");
	TCase *tc = tcase_create("error");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_classify_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_loop_test(tc, test_classify_files, 0, (int)(sizeof(files) / sizeof(files[0])));
	tcase_add_test(tc, test_midstream_sample);
	tcase_add_test(tc, test_names_round_trip);
	tcase_add_test(tc, test_error_set_clear);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
