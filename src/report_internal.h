/* SPDX-License-Identifier: MIT */
#ifndef O3_REPORT_INTERNAL_H
#define O3_REPORT_INTERNAL_H
/*
 * What the report writers share (report.c): files written through a
 * temporary file, the writers' folders, and text from a server made safe
 * for each format.
 */
#include <stddef.h>

#include "report.h"
#include "strbuf.h"

/* The options as "name=value name=value", whole numbers as integers
 * (num_ctx=1000000, not 1e+06); raw: each writer escapes it for its format. */
void report_options_text(struct strbuf *sb, const cJSON *opts);
/* Why a load-only probe did not fit, in words ("ran out of memory", ...),
 * from its outcome name (NULL: "did not fit"). */
const char *report_outcome_words(const char *outcome);
/* 1 when the whole string is well-formed UTF-8. */
int report_utf8_valid(const char *s);

/* s made fit for XML 1.0, appended: each byte of an invalid UTF-8 sequence
 * becomes U+FFFD, and each character XML 1.0 does not allow (control
 * characters other than tab, newline and carriage return; U+FFFE, U+FFFF)
 * becomes the text "\xNN" ("\uFFFE"). The XML writer escapes the rest. */
void report_xml_clean(struct strbuf *sb, const char *s);
/* s with invalid UTF-8 replaced (U+FFFD per byte) and every other byte
 * kept, appended (summary.json: JSON is UTF-8). */
void report_utf8_clean(struct strbuf *sb, const char *s, size_t len);

/* Markdown from text a server may have sent, appended. Invalid UTF-8 becomes
 * U+FFFD and control characters are dropped.
 *   report_md_text:  paragraph or heading text: a backslash before each of
 *                    \ ` * [ ] < > & | ~ # $ (markup anywhere in a line)
 *                    and _ (unless between two letters or digits, where it
 *                    cannot be emphasis: max_ctx stays readable),
 *                    and before what would start a list or a heading
 *                    underline if s began a line (a leading -, + or =, the
 *                    . or ) of a leading "1. "); line breaks and tabs become
 *                    spaces.
 *   report_md_cell:  the same in a table cell (where nothing starts a
 *                    line): line breaks become <br> (a cell is one line).
 *   report_md_code:  a code span around s: fenced with one backtick more
 *                    than the longest run of backticks in s (padded with a
 *                    space where s starts or ends with one); line breaks
 *                    become spaces; in_table: | becomes \| (GFM reads that
 *                    escape inside code spans in tables). Nothing for "". */
void report_md_text(struct strbuf *sb, const char *s);
void report_md_cell(struct strbuf *sb, const char *s);
void report_md_code(struct strbuf *sb, const char *s, int in_table);

/* path = run->dir + "/" + sub, created (mkdir -p). 0, or -1 after saying
 * why on stderr. */
int report_folder(const struct report_run *run, const char *sub, char *path, size_t len);
/* len bytes of data into path through a temporary file in the same folder,
 * renamed into place. 0, or -1 after saying why on stderr (the file's name
 * and errno's text); the old file, if any, is left as it was. */
int report_file_write(const char *path, const char *data, size_t len);
/* The same from a strbuf (a buffer that hit its cap fails); the buffer is
 * released. */
int report_file_write_sb(const char *path, struct strbuf *sb);

/* ---- the writers' pieces that o3 merge reuses (report_merge.c) ---------------- */

/* summary.json's "key_figures" and "verdict" of a model summary
 * (report_json.c); the figures are the caller's to delete. */
cJSON *report_key_figures(const cJSON *model_summary);
const char *report_verdict(const cJSON *model_summary);

/* models.csv's table (report_csv.c) into dir/name: the columns lead, then
 * models.csv's; a row per summary models[i] (NULL: only leads[i]'s values),
 * leads[i] (an object column -> value) replacing the summary's values. */
int report_csv_models(const char *dir, const char *name, const char *const *lead, size_t n_lead,
		      const cJSON *leads, const cJSON *const *models, size_t n);

/* A page in report.html's style (report_html.c): begin writes the head and
 * opens <body><header><h1>title</h1>, leaving the header open; every text and
 * attribute is cleaned and escaped as report.html's; end writes the footer
 * and the script, closes the page and writes it to path through a temporary
 * file (0, or -1 after saying why), and frees the page. */
struct report_html_page;
struct report_html_page *report_html_page_begin(const char *title);
void report_html_start(struct report_html_page *p, const char *name, const char *cls);
void report_html_end(struct report_html_page *p);
void report_html_newline(struct report_html_page *p);
void report_html_attr(struct report_html_page *p, const char *name, const char *value);
void report_html_text(struct report_html_page *p, const char *s);
void report_html_elem(struct report_html_page *p, const char *name, const char *cls,
		      const char *s);
/* the options as <code>, or "Ollama's defaults" */
void report_html_options(struct report_html_page *p, const cJSON *opts);
/* a numeric cell: "12.3", or "-" for NaN */
void report_html_num_cell(struct report_html_page *p, double v, int decimals);
/* <div class="table-wrap"><table class=cls><thead>...<tbody>; a column
 * name starting with '#' is numeric; cols ends with NULL */
void report_html_table_head(struct report_html_page *p, const char *cls, const char *const *cols);
void report_html_table_end(struct report_html_page *p);
int report_html_page_end(struct report_html_page *p, const char *path);

#endif
