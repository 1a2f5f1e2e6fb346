/* SPDX-License-Identifier: MIT */
#ifndef O3_TTFT_H
#define O3_TTFT_H
/*
 * TTFT as o3 judges it, in one place for trials (trial.c, optimize.c) and
 * the stability test (stability.c, optimize.c), so that the two cannot drift.
 */

/*
 * The server's view of TTFT, from the final chunk's durations: prefill
 * (prompt_eval_duration) plus one token (eval_duration / eval_count), in ms.
 * load_duration, and with it any wait for the model or for a slot, is not
 * in it. -1 when a figure is missing (a negative duration means absent).
 */
double ttft_server_ms(long long prompt_eval_duration_ns, long long eval_count,
		      long long eval_duration_ns);

/*
 * Which TTFT the criteria judge: 1 = the server's durations (above), 0 =
 * the client's clock (request sent -> first content chunk). Under a time
 * scale (clock_time_scale() < 1: a simulator faster than real time) the
 * scaled client clock magnifies the constant cost of every HTTP round trip,
 * so the server's figure is judged there; against a real server the
 * client's.
 */
int ttft_judged_on_server(void);

#endif
