// SPDX-License-Identifier: MIT
/* Charts as a table, an SVG document and a Mermaid xychart-beta block, from
 * the same numbers (chart.h). The SVG is written as text: every piece of
 * text in it goes through xml_text (report_xml_clean, then the five XML
 * escapes), every number through printf. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "report_internal.h"
#include "util.h"
#include "banned.h"

struct chart *chart_new(const char *title, const char *x_label, const char *y_label)
{
	struct chart *c = xcalloc(1, sizeof(*c));
	c->title = xstrdup(title ? title : "");
	c->x_label = xstrdup(x_label ? x_label : "");
	c->y_label = xstrdup(y_label ? y_label : "");
	return c;
}

void chart_free(struct chart *c)
{
	size_t i;
	if (!c)
		return;
	for (i = 0; i < c->ncat; i++)
		free(c->cats[i]);
	free(c->cats);
	for (i = 0; i < c->nseries; i++) {
		free(c->series[i].name);
		free(c->series[i].y);
	}
	for (i = 0; i < c->nrefs; i++)
		free(c->refs[i].name);
	free(c->title);
	free(c->x_label);
	free(c->y_label);
	free(c);
}

size_t chart_cat(struct chart *c, const char *label)
{
	size_t i;
	for (i = 0; i < c->ncat; i++)
		if (!strcmp(c->cats[i], label))
			return i;
	if (c->ncat == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 8;
		c->cats = xrealloc(c->cats, c->cap * sizeof(*c->cats));
		for (i = 0; i < c->nseries; i++)
			c->series[i].y = xrealloc(c->series[i].y, c->cap * sizeof(double));
	}
	c->cats[c->ncat] = xstrdup(label);
	for (i = 0; i < c->nseries; i++)
		c->series[i].y[c->ncat] = NAN;
	return c->ncat++;
}

int chart_series(struct chart *c, const char *name, enum chart_kind kind, int decimals)
{
	struct chart_series *s;
	size_t i;
	if (c->nseries == CHART_MAX_SERIES)
		return -1;
	s = &c->series[c->nseries];
	s->name = xstrdup(name ? name : "");
	s->kind = kind;
	s->decimals = decimals;
	s->y = xmalloc((c->cap ? c->cap : 1) * sizeof(double));
	for (i = 0; i < c->ncat; i++)
		s->y[i] = NAN;
	return (int)c->nseries++;
}

void chart_value(char *buf, size_t len, const struct chart_series *s, double y)
{
	if (isnan(y))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f", s->decimals, y);
}

void chart_set(struct chart *c, int series, size_t cat, double y)
{
	char buf[64];
	if (series < 0 || (size_t)series >= c->nseries || cat >= c->ncat || !isfinite(y))
		return;
	/* the value as every output writes it */
	chart_value(buf, sizeof(buf), &c->series[series], y);
	c->series[series].y[cat] = strtod(buf, NULL);
}

void chart_ref(struct chart *c, const char *name, double y)
{
	if (c->nrefs == CHART_MAX_REFS || !isfinite(y))
		return;
	c->refs[c->nrefs].name = xstrdup(name ? name : "");
	c->refs[c->nrefs++].y = y;
}

int chart_has_data(const struct chart *c)
{
	size_t i, j;
	for (i = 0; i < c->nseries; i++)
		for (j = 0; j < c->ncat; j++)
			if (!isnan(c->series[i].y[j]))
				return 1;
	return 0;
}

/* ---- the table ------------------------------------------------------------ */

void chart_md_table(struct strbuf *sb, const struct chart *c)
{
	size_t i, j;
	char v[64];
	strbuf_addstr(sb, "| ");
	report_md_cell(sb, c->x_label);
	for (j = 0; j < c->nseries; j++) {
		strbuf_addstr(sb, " | ");
		report_md_cell(sb, c->series[j].name);
	}
	strbuf_addstr(sb, " |\n|---|");
	for (j = 0; j < c->nseries; j++)
		strbuf_addstr(sb, "---|");
	strbuf_addch(sb, '\n');
	for (i = 0; i < c->ncat; i++) {
		strbuf_addstr(sb, "| ");
		report_md_cell(sb, c->cats[i]);
		for (j = 0; j < c->nseries; j++) {
			chart_value(v, sizeof(v), &c->series[j], c->series[j].y[i]);
			strbuf_addf(sb, " | %s", v);
		}
		strbuf_addstr(sb, " |\n");
	}
}

/* ---- scale ------------------------------------------------------------------ */

/* The y axis: 0 to a round maximum above every value and reference, in
 * ticks of 1, 2 or 5 times a power of ten. */
static void y_scale(const struct chart *c, double *ymax, double *tick)
{
	double max = 0, raw, mag, f;
	size_t i, j;
	for (i = 0; i < c->nseries; i++)
		for (j = 0; j < c->ncat; j++)
			if (c->series[i].y[j] > max)
				max = c->series[i].y[j];
	for (i = 0; i < c->nrefs; i++)
		if (c->refs[i].y > max)
			max = c->refs[i].y;
	if (!(max > 0))
		max = 1;
	if (strchr(c->y_label, '%') && max <= 100) {
		/* a share: the whole of it */
		*ymax = 100;
		*tick = 20;
		return;
	}
	raw = max * 1.05 / 5;
	mag = pow(10, floor(log10(raw)));
	f = raw / mag;
	*tick = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
	*ymax = ceil(max * 1.05 / *tick) * *tick;
}

/* ---- Mermaid ------------------------------------------------------------------ */

/* A quoted Mermaid string: valid UTF-8, no control character, no quote. */
static void mm_str(struct strbuf *sb, const char *s)
{
	unsigned cp;
	size_t n;
	strbuf_addch(sb, '"');
	while (s && *s) {
		if (!(n = o3_utf8_char(s, &cp))) {
			strbuf_addstr(sb, "\xef\xbf\xbd");
			s++;
			continue;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			strbuf_addch(sb, ' ');
		else if (cp == '"')
			strbuf_addch(sb, '\'');
		else
			strbuf_add(sb, s, n);
		s += n;
	}
	strbuf_addch(sb, '"');
}

static int complete(const struct chart *c, const struct chart_series *s)
{
	size_t i;
	for (i = 0; i < c->ncat; i++)
		if (isnan(s->y[i]))
			return 0;
	return 1;
}

static const char *kind_name(enum chart_kind k)
{
	return k == CHART_LINE ? "line" : k == CHART_POINTS ? "points" : "bars";
}

void chart_mermaid(struct strbuf *sb, const struct chart *c)
{
	double ymax, tick;
	size_t i, j;
	int bars = 0;
	char v[64];
	y_scale(c, &ymax, &tick);
	strbuf_addstr(sb, "```mermaid\nxychart-beta\n    title ");
	mm_str(sb, c->title);
	strbuf_addstr(sb, "\n    x-axis ");
	mm_str(sb, c->x_label);
	strbuf_addstr(sb, " [");
	for (i = 0; i < c->ncat; i++) {
		if (i)
			strbuf_addstr(sb, ", ");
		mm_str(sb, c->cats[i]);
	}
	if (!c->ncat)
		mm_str(sb, "no data");
	strbuf_addstr(sb, "]\n    y-axis ");
	mm_str(sb, c->y_label);
	strbuf_addf(sb, " 0 --> %g\n", ymax);
	for (j = 0; j < c->nseries; j++) {
		const struct chart_series *s = &c->series[j];
		const char *as = "line";
		if (s->kind == CHART_BARS)
			as = bars++ ? "line" : "bar";
		else if (s->kind == CHART_POINTS || !complete(c, s))
			as = "bar";
		strbuf_addf(sb, "    %%%% series %zu: %s (%s", j + 1, kind_name(s->kind), as);
		if (!complete(c, s))
			strbuf_addstr(sb, ", 0 where there is no value");
		strbuf_addstr(sb, "): ");
		mm_str(sb, s->name);
		strbuf_addf(sb, "\n    %s [", as);
		for (i = 0; i < c->ncat; i++) {
			chart_value(v, sizeof(v), s, s->y[i]);
			strbuf_addf(sb, "%s%s", i ? ", " : "", isnan(s->y[i]) ? "0" : v);
		}
		strbuf_addstr(sb, "]\n");
	}
	for (j = 0; j < c->nrefs && c->ncat; j++) {
		strbuf_addstr(sb, "    %% reference (a constant line): ");
		mm_str(sb, c->refs[j].name);
		strbuf_addstr(sb, "\n    line [");
		for (i = 0; i < c->ncat; i++)
			strbuf_addf(sb, "%s%g", i ? ", " : "", c->refs[j].y);
		strbuf_addstr(sb, "]\n");
	}
	strbuf_addstr(sb, "```\n");
}

/* ---- SVG ------------------------------------------------------------------------ */

enum { W = 760, H = 420, L = 70, R = 210, T = 50, B = 70 };
#define PW ((double)(W - L - R))
#define PH ((double)(H - T - B))

static const char *const palette[CHART_MAX_SERIES + CHART_MAX_REFS] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
	"#555555", "#b8860b", "#800000", "#008080",
};

/* Text made safe for XML character data and attribute values. */
static void xml_text(struct strbuf *sb, const char *s, size_t max_chars)
{
	struct strbuf t = STRBUF_INIT;
	const char *p;
	size_t chars = 0;
	report_xml_clean(&t, s ? s : "");
	for (p = t.buf; p && *p; p++) {
		if ((*p & 0xc0) != 0x80 && max_chars && ++chars > max_chars) {
			strbuf_addstr(sb, "\xe2\x80\xa6");
			break;
		}
		switch (*p) {
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&apos;"); break;
		case '\t': case '\n': case '\r': strbuf_addch(sb, ' '); break;
		default: strbuf_addch(sb, *p);
		}
	}
	strbuf_release(&t);
}

static double px(const struct chart *c, size_t i)
{
	return L + PW / (double)c->ncat * ((double)i + 0.5);
}

static double py(double ymax, double y)
{
	return T + PH - y / ymax * PH;
}

/* A marker of shape n at (x, y), with its data. */
static const char *marker(struct strbuf *sb, int shape, double x, double y, const char *color)
{
	switch (shape % 4) {
	case 0:
		strbuf_addf(sb, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"", x, y, color);
		return "circle";
	case 1:
		strbuf_addf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"8\" height=\"8\" fill=\"%s\"", x - 4,
			    y - 4, color);
		return "rect";
	case 2:
		strbuf_addf(sb, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"", x, y - 5, x + 5,
			    y + 4, x - 5, y + 4, color);
		return "path";
	default:
		strbuf_addf(sb, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" fill=\"%s\"", x,
			    y - 5, x + 5, y, x, y + 5, x - 5, y, color);
		return "path";
	}
}

static void data_attrs(struct strbuf *sb, const struct chart *c, size_t j, size_t i,
		       const char *element)
{
	char v[64];
	chart_value(v, sizeof(v), &c->series[j], c->series[j].y[i]);
	strbuf_addf(sb, " class=\"point\" data-series=\"%zu\" data-x=\"", j);
	xml_text(sb, c->cats[i], 0);
	strbuf_addf(sb, "\" data-y=\"%s\"><title>", v);
	xml_text(sb, c->series[j].name, 0);
	strbuf_addstr(sb, " at ");
	xml_text(sb, c->cats[i], 0);
	strbuf_addf(sb, ": %s</title></%s>\n", v, element);
}

void chart_svg(struct strbuf *sb, const struct chart *c)
{
	double ymax, tick, t;
	size_t i, j, nbars = 0, bar = 0;
	y_scale(c, &ymax, &tick);
	strbuf_addf(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		    "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n<title>",
		    W, H, W, H);
	xml_text(sb, c->title, 0);
	strbuf_addstr(sb, "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
	strbuf_addf(sb, "<text x=\"%d\" y=\"28\" font-size=\"15\" font-weight=\"bold\">", L);
	xml_text(sb, c->title, 80);
	strbuf_addstr(sb, "</text>\n<g class=\"axes\" stroke=\"#000000\" fill=\"none\">\n");
	/* y ticks and grid */
	for (t = 0; t <= ymax + tick / 2; t += tick)
		strbuf_addf(sb, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#dddddd\"/>\n",
			    L, py(ymax, t), L + PW, py(ymax, t));
	strbuf_addf(sb, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\"/>\n", L, T, L, T + PH);
	strbuf_addf(sb, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n</g>\n", L, T + PH,
		    L + PW, T + PH);
	strbuf_addstr(sb, "<g class=\"ticks\" fill=\"#000000\">\n");
	for (t = 0; t <= ymax + tick / 2; t += tick)
		strbuf_addf(sb, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", L - 6,
			    py(ymax, t) + 4, t);
	for (i = 0; i < c->ncat; i++) {
		strbuf_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", px(c, i),
			    T + PH + 16);
		xml_text(sb, c->cats[i], c->ncat > 6 ? 8 : 16);
		strbuf_addstr(sb, "</text>\n");
	}
	strbuf_addf(sb, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", L + PW / 2, H - 28);
	xml_text(sb, c->x_label, 60);
	strbuf_addf(sb, "</text>\n<text transform=\"translate(16 %.1f) rotate(-90)\" "
		    "text-anchor=\"middle\">", T + PH / 2);
	xml_text(sb, c->y_label, 50);
	strbuf_addstr(sb, "</text>\n</g>\n");
	if (!chart_has_data(c))
		strbuf_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"#555555\">"
			    "no data</text>\n", L + PW / 2, T + PH / 2);
	/* reference lines */
	for (j = 0; j < c->nrefs; j++) {
		const char *col = palette[CHART_MAX_SERIES + j];
		strbuf_addf(sb, "<g class=\"reference\" data-y=\"%g\"><line x1=\"%d\" y1=\"%.1f\" "
			    "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"6 4\"/>"
			    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"%s\">",
			    c->refs[j].y, L, py(ymax, c->refs[j].y), L + PW, py(ymax, c->refs[j].y), col,
			    L + PW - 4, py(ymax, c->refs[j].y) - 4, col);
		xml_text(sb, c->refs[j].name, 40);
		strbuf_addstr(sb, "</text></g>\n");
	}
	for (j = 0; j < c->nseries; j++)
		nbars += c->series[j].kind == CHART_BARS;
	/* series */
	for (j = 0; j < c->nseries; j++) {
		const struct chart_series *s = &c->series[j];
		const char *col = palette[j];
		double band = c->ncat ? PW / (double)c->ncat : PW;
		strbuf_addf(sb, "<g class=\"series\" data-series=\"%zu\" data-kind=\"%s\">\n", j,
			    kind_name(s->kind));
		if (s->kind == CHART_LINE) {
			int open = 0;
			for (i = 0; i < c->ncat; i++) {
				if (isnan(s->y[i])) {
					if (open)
						strbuf_addf(sb, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
							    col);
					open = 0;
					continue;
				}
				strbuf_addf(sb, "%s%.1f,%.1f", open ? " " : "<polyline points=\"", px(c, i),
					    py(ymax, s->y[i]));
				open = 1;
			}
			if (open)
				strbuf_addf(sb, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", col);
		}
		for (i = 0; i < c->ncat; i++) {
			struct strbuf el = STRBUF_INIT;
			const char *name = "rect";
			if (isnan(s->y[i]))
				continue;
			if (s->kind == CHART_BARS) {
				double bw = band * 0.8 / (double)nbars;
				double x = px(c, i) - band * 0.4 + bw * (double)bar;
				strbuf_addf(&el, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
					    "fill=\"%s\"", x, py(ymax, s->y[i]), bw, T + PH - py(ymax, s->y[i]),
					    col);
			} else {
				name = marker(&el, s->kind == CHART_LINE ? 0 : (int)j, px(c, i),
					      py(ymax, s->y[i]), col);
			}
			strbuf_add(sb, el.buf, el.len);
			data_attrs(sb, c, j, i, name);
			strbuf_release(&el);
		}
		if (s->kind == CHART_BARS)
			bar++;
		strbuf_addstr(sb, "</g>\n");
	}
	/* legend */
	strbuf_addf(sb, "<g class=\"legend\" font-size=\"11\">\n");
	for (j = 0; j < c->nseries + c->nrefs; j++) {
		double y = T + 8 + 18.0 * (double)j, x = W - R + 16;
		const char *col = palette[j < c->nseries ? j : CHART_MAX_SERIES + j - c->nseries];
		if (j >= c->nseries)
			strbuf_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
				    "stroke-dasharray=\"6 4\"/>", x - 6, y, x + 10, y, col);
		else if (c->series[j].kind == CHART_BARS)
			strbuf_addf(sb, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>",
				    x - 3, y - 5, col);
		else if (c->series[j].kind == CHART_LINE)
			strbuf_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
				    "stroke-width=\"2\"/>", x - 6, y, x + 10, y, col);
		if (j < c->nseries && c->series[j].kind != CHART_BARS) {
			struct strbuf el = STRBUF_INIT;
			marker(&el, c->series[j].kind == CHART_LINE ? 0 : (int)j, x + 2, y, col);
			strbuf_add(sb, el.buf, el.len);
			strbuf_addstr(sb, "/>");
			strbuf_release(&el);
		}
		strbuf_addf(sb, "<text x=\"%.1f\" y=\"%.1f\">", x + 16, y + 4);
		xml_text(sb, j < c->nseries ? c->series[j].name : c->refs[j - c->nseries].name, 28);
		strbuf_addstr(sb, "</text>\n");
	}
	strbuf_addstr(sb, "</g>\n</svg>\n");
}
