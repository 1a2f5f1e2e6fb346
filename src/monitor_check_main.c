// SPDX-License-Identifier: MIT
/* o3-monitor-check: `o3 monitor` on its own, for ci/gpu-check.sh and tests,
 * so that the monitor can be checked without the rest of o3. */
#include "cmd.h"
#include "o3_exit.h"
#include "ollama.h"
#include "banned.h"

int main(int argc, char **argv)
{
	if (ollama_global_init())
		return O3_EXIT_INTERNAL;
	return cmd_monitor(argc, argv);
}
