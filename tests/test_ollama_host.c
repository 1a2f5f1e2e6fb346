// SPDX-License-Identifier: MIT
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ollama.h"

/*
 * Ollama's own cases (envconfig/config_test.go TestHost) and their results;
 * then o3's deviations: where Ollama logs "invalid port, using default" and
 * falls back, o3 refuses the value (error != NULL gives a word the message
 * must hold).
 */
static const struct host_case {
	const char *value;
	const char *base_url; /* NULL: refused */
	const char *host;
	int port;
	const char *error;
} cases[] = {
	/* Ollama's table */
	{ NULL, "http://127.0.0.1:11434", "127.0.0.1", 11434, NULL },
	{ "", "http://127.0.0.1:11434", "127.0.0.1", 11434, NULL },
	{ "1.2.3.4", "http://1.2.3.4:11434", "1.2.3.4", 11434, NULL },
	{ ":1234", "http://127.0.0.1:1234", "127.0.0.1", 1234, NULL },
	{ "1.2.3.4:1234", "http://1.2.3.4:1234", "1.2.3.4", 1234, NULL },
	{ "example.com", "http://example.com:11434", "example.com", 11434, NULL },
	{ "example.com:1234", "http://example.com:1234", "example.com", 1234, NULL },
	{ "[::1]", "http://[::1]:11434", "::1", 11434, NULL },
	{ "[::]", "http://[::]:11434", "::", 11434, NULL },
	{ "::1", "http://[::1]:11434", "::1", 11434, NULL },
	{ "[::1]:1337", "http://[::1]:1337", "::1", 1337, NULL },
	{ " 1.2.3.4 ", "http://1.2.3.4:11434", "1.2.3.4", 11434, NULL },
	{ "\"1.2.3.4\"", "http://1.2.3.4:11434", "1.2.3.4", 11434, NULL },
	{ " \" 1.2.3.4 \" ", "http://1.2.3.4:11434", "1.2.3.4", 11434, NULL },
	{ "'1.2.3.4'", "http://1.2.3.4:11434", "1.2.3.4", 11434, NULL },
	{ "http://1.2.3.4", "http://1.2.3.4:80", "1.2.3.4", 80, NULL },
	{ "http://1.2.3.4:4321", "http://1.2.3.4:4321", "1.2.3.4", 4321, NULL },
	{ "https://1.2.3.4", "https://1.2.3.4:443", "1.2.3.4", 443, NULL },
	{ "https://1.2.3.4:4321", "https://1.2.3.4:4321", "1.2.3.4", 4321, NULL },
	{ "https://example.com/ollama", "https://example.com:443", "example.com", 443, NULL },
	{ "ollama.com", "https://ollama.com:443", "ollama.com", 443, NULL },
	/* Ollama: WARN and default port; o3: refused */
	{ ":66000", NULL, NULL, 0, "out of range" },
	{ ":-1", NULL, NULL, 0, "not a number" },
	{ ":0", NULL, NULL, 0, "out of range" },
	/* more of the same shape */
	{ "0.0.0.0", "http://0.0.0.0:11434", "0.0.0.0", 11434, NULL },
	{ "0.0.0.0:8080", "http://0.0.0.0:8080", "0.0.0.0", 8080, NULL },
	{ "localhost:11434", "http://localhost:11434", "localhost", 11434, NULL },
	{ "http://localhost:11434/", "http://localhost:11434", "localhost", 11434, NULL },
	{ "http://localhost:11434/api/x", "http://localhost:11434", "localhost", 11434, NULL },
	{ "\t127.0.0.1:11434\n", "http://127.0.0.1:11434", "127.0.0.1", 11434, NULL },
	{ "[0:0::1]:80", "http://[::1]:80", "::1", 80, NULL },
	{ "http://", "http://127.0.0.1:80", "127.0.0.1", 80, NULL },
	{ "https://[::1]", "https://[::1]:443", "::1", 443, NULL },
	{ "127.0.0.1:65535", "http://127.0.0.1:65535", "127.0.0.1", 65535, NULL },
	/* malformed */
	{ "localhost:abc", NULL, NULL, 0, "not a number" },
	{ "localhost:", NULL, NULL, 0, "empty port" },
	{ "localhost:+80", NULL, NULL, 0, "not a number" },
	{ "localhost:80x", NULL, NULL, 0, "not a number" },
	{ "ftp://localhost", NULL, NULL, 0, "unknown scheme 'ftp'" },
	{ "HTTP://localhost", NULL, NULL, 0, "unknown scheme" },
	{ "://localhost", NULL, NULL, 0, "unknown scheme" },
	{ "[::1", NULL, NULL, 0, "malformed" },
	{ "[::1]x", NULL, NULL, 0, "malformed" },
	{ "[::1]:80:90", NULL, NULL, 0, "malformed" },
	{ "[zz::1]:80", NULL, NULL, 0, "IPv6" },
	{ "1:2:3", NULL, NULL, 0, "IPv6" },
	{ "exa mple.com", NULL, NULL, 0, "host name" },
	{ "host@name:80", NULL, NULL, 0, "host name" },
	{ "127.0.0.1:99999999999999999999", NULL, NULL, 0, "not a number" },
};

START_TEST(test_host_table)
{
	const struct host_case *tc = &cases[_i];
	struct ollama_host h;
	char err[256];
	int rc;

	memset(&h, 0x5a, sizeof(h));
	rc = ollama_host_parse(tc->value, &h, err, sizeof(err));
	if (tc->base_url) {
		ck_assert_msg(rc == 0, "'%s' refused: %s", tc->value ? tc->value : "(null)", err);
		ck_assert_str_eq(h.base_url, tc->base_url);
		ck_assert_str_eq(h.host, tc->host);
		ck_assert_int_eq(h.port, tc->port);
		ck_assert_str_eq(h.scheme, !strncmp(tc->base_url, "https", 5) ? "https" : "http");
	} else {
		ck_assert_msg(rc == -1, "'%s' accepted as %s", tc->value, h.base_url);
		ck_assert_msg(strstr(err, tc->error) != NULL, "'%s': message '%s' lacks '%s'",
			      tc->value, err, tc->error);
		ck_assert_msg(!strncmp(err, "invalid OLLAMA_HOST '", 21), "message: %s", err);
		ck_assert_msg(strstr(err, tc->value) != NULL, "message does not name the value: %s",
			      err);
		ck_assert_ptr_null(strchr(err, '\n'));
	}
}
END_TEST

START_TEST(test_host_small_error_buffer)
{
	struct ollama_host h;
	char err[8];
	ck_assert_int_eq(ollama_host_parse("ftp://x", &h, err, sizeof(err)), -1);
	ck_assert_uint_eq(strlen(err), 7);
	ck_assert_int_eq(ollama_host_parse("ftp://x", &h, NULL, 0), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ollama_host");
	TCase *tc = tcase_create("host");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_host_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	tcase_add_test(tc, test_host_small_error_buffer);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
