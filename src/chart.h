/* SPDX-License-Identifier: MIT */
#ifndef O3_CHART_H
#define O3_CHART_H
/*
 * Charts from one set of numbers, three ways: the table that holds them
 * (Markdown), an SVG document and a Mermaid xychart-beta block. Every value
 * is formatted once, by its series' decimals, so the three say the same
 * numbers. The x axis is categorical (num_ctx, filled depth, streams,
 * presets, in the caller's order and evenly spaced, as Mermaid draws them).
 *
 * Series kinds:
 *   CHART_LINE    a line through the points (Mermaid: line)
 *   CHART_POINTS  markers only (a probe's outcome, a measurement); in
 *                 Mermaid a bar, 0 where the series has no value
 *   CHART_BARS    bars (side by side in the SVG); in Mermaid the first bar
 *                 series is a bar, the others lines (Mermaid overlaps bars)
 * A line series with a value missing is drawn as bars in Mermaid (0 where
 * missing): Mermaid's lines cannot skip a point.
 * Reference lines (the floor, the memory limit) are constants: dashed lines
 * in the SVG, constant line series in Mermaid, each after a "%% reference:"
 * comment; each data series follows a "%% series N:" comment.
 *
 * Text (titles, labels, names) may be a server's: each output escapes it
 * (XML for the SVG, Markdown cells for the table, a quoted Mermaid string
 * with no quote, control character or invalid UTF-8 for Mermaid).
 */
#include <stddef.h>

#include "strbuf.h"

enum chart_kind { CHART_LINE, CHART_POINTS, CHART_BARS };

#define CHART_MAX_SERIES 8
#define CHART_MAX_REFS 4

struct chart_series {
	char *name;
	enum chart_kind kind;
	int decimals;
	double *y;      /* per category; NAN: no value */
};

struct chart_ref {
	char *name;
	double y;
};

struct chart {
	char *title, *x_label, *y_label;
	size_t ncat, cap;
	char **cats;
	size_t nseries, nrefs;
	struct chart_series series[CHART_MAX_SERIES];
	struct chart_ref refs[CHART_MAX_REFS];
};

struct chart *chart_new(const char *title, const char *x_label, const char *y_label);
void chart_free(struct chart *c);
/* The category labelled label (added at the end if new); its index. */
size_t chart_cat(struct chart *c, const char *label);
/* A series (ignored past CHART_MAX_SERIES: -1); its index. */
int chart_series(struct chart *c, const char *name, enum chart_kind kind, int decimals);
/* series' value at category cat (rounded to the series' decimals). */
void chart_set(struct chart *c, int series, size_t cat, double y);
void chart_ref(struct chart *c, const char *name, double y);
/* Whether any series has a value. */
int chart_has_data(const struct chart *c);

/* "12.3" by the series' decimals, "-" for no value. */
void chart_value(char *buf, size_t len, const struct chart_series *s, double y);
/* | x_label | series... | and a row per category. */
void chart_md_table(struct strbuf *sb, const struct chart *c);
/* ```mermaid ... ``` (with the trailing newline). */
void chart_mermaid(struct strbuf *sb, const struct chart *c);
/* An SVG document: a fixed size, axes with ticks and labels, a legend, a
 * <title>; each point and bar carries data-series, data-x (the category)
 * and data-y (the value as the table writes it). */
void chart_svg(struct strbuf *sb, const struct chart *c);

#endif
