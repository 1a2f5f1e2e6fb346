/* SPDX-License-Identifier: MIT */
#ifndef O3_STEP_SUMMARY_H
#define O3_STEP_SUMMARY_H
#include <stddef.h>

/*
 * GitHub's job summary: a step that finds GITHUB_STEP_SUMMARY set appends
 * Markdown to the file it names, and GitHub shows it on the run's page
 * (Mermaid charts included). o3 run appends summaries/summary.md, o3 compare
 * summaries/compare.md. GitHub takes at most 1 MiB per step: what does not
 * fit is cut at a line boundary (a code block left open, such as a Mermaid
 * chart, is closed) and a note says where the whole report is.
 *
 * The reports themselves never read the environment (o3 report writes them
 * again byte for byte); only the commands look at it, after the writers ran.
 */

/* GitHub's limit on one step's summary, in bytes. */
#define STEP_SUMMARY_LIMIT ((size_t)1024 * 1024)

/* The file GITHUB_STEP_SUMMARY names, or NULL when it is unset or empty. */
const char *step_summary_path(void);

/* Append text (len bytes of Markdown) to path, created if missing; with what
 * path already holds, at most limit bytes: beyond, text is trimmed at a line
 * boundary and ends with a note naming artifact (the report's path in the
 * results folder, "summaries/summary.md"). 0, or -1 after saying why. */
int step_summary_append_text(const char *path, const char *text, size_t len,
			     const char *artifact, size_t limit);

/* The same with the file md_path's content and STEP_SUMMARY_LIMIT. */
int step_summary_append(const char *path, const char *md_path, const char *artifact);

#endif
