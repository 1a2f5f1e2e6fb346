// SPDX-License-Identifier: MIT
/* o3-monitor-check: `o3 monitor` on its own, for ci/gpu-check.sh and tests,
 * so that the monitor can be checked without the rest of o3. */
#include <signal.h>

#include <curl/curl.h>

#include "cmd.h"
#include "o3_exit.h"
#include "banned.h"

int main(int argc, char **argv)
{
	int rc;
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return O3_EXIT_INTERNAL;
	rc = cmd_monitor(argc, argv);
	curl_global_cleanup();
	return rc;
}
