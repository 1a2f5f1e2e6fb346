// SPDX-License-Identifier: MIT
#include "ttft.h"

#include "clock.h"
#include "banned.h"

double ttft_server_ms(long long prompt_eval_duration_ns, long long eval_count,
		      long long eval_duration_ns)
{
	if (prompt_eval_duration_ns < 0 || eval_count <= 0 || eval_duration_ns <= 0)
		return -1;
	return ((double)prompt_eval_duration_ns + (double)eval_duration_ns / (double)eval_count) / 1e6;
}

int ttft_judged_on_server(void)
{
	return clock_time_scale() < 1.0;
}
