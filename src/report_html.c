// SPDX-License-Identifier: MIT
/*
 * report.html (report.h): a one-file dashboard of the run. The run's
 * identity, per model its ceilings, presets and their evidence, findings,
 * gates, charts (inline SVG), trials and stability (tables a click on a
 * header sorts), and the comparison with the baseline when there is one.
 *
 * Nothing is fetched when the page is viewed: the style, the charts and the
 * small script are in the file, and no attribute names a URL. It is written
 * with libxml2's xmlTextWriter, so every string from a server is escaped by
 * the library (after report_xml_clean has made it valid UTF-8 without
 * control characters); the only raw text is the style and the script below,
 * which are constants. The output depends only on what the writer is given:
 * o3 report writes it again byte for byte.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "msg.h"
#include "record.h"
#include "report_internal.h"
#include "util.h"
#include "banned.h"

/* ---- the constant parts ------------------------------------------------------ */

static const char style[] =
	":root{--fg:#1d232b;--muted:#5b6573;--line:#d9dee5;--bg:#f4f6f8;--card:#fff;"
	"--ok:#1a7f37;--bad:#c62828;--warn:#9a6700;--accent:#2f5fb3}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
	"color:var(--fg);background:var(--bg)}\n"
	"header,main,footer,nav,section.comparison{max-width:1200px;margin:0 auto;padding:0 20px}\n"
	"h1{font-size:1.6em;margin:24px 0 8px}h2{font-size:1.3em;margin:0 0 8px;word-break:break-word}\n"
	"h3{font-size:1.05em;margin:18px 0 6px}\n"
	".banner{background:#fff4ce;border:2px solid #d4a72c;border-radius:6px;padding:10px 14px;"
	"margin:12px 0;font-weight:600}\n"
	"dl.identity{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0 16px}\n"
	"dl.identity dt{color:var(--muted)}dl.identity dd{margin:0;word-break:break-word}\n"
	"nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px 16px}\n"
	"nav a{color:var(--accent)}\n"
	".card{background:var(--card);border:1px solid var(--line);border-radius:8px;"
	"padding:16px 20px;margin:20px 0}\n"
	".kpis{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}\n"
	".kpi{flex:1 1 260px;border:1px solid var(--line);border-radius:6px;padding:10px 14px}\n"
	".kpi .label{color:var(--muted);font-size:.85em}.kpi .v{font-size:1.5em;font-weight:600}\n"
	".kpi .sub{font-size:.85em;color:var(--muted)}\n"
	".muted,.note{color:var(--muted)}.msg{white-space:pre-wrap;word-break:break-word}\n"
	".error{color:var(--bad);font-weight:600}.warn{color:var(--warn);font-weight:600}\n"
	".table-wrap{overflow-x:auto}\n"
	"table{border-collapse:collapse;width:100%;font-size:.88em;margin:6px 0 14px}\n"
	"th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}\n"
	"th{background:#eef1f5;font-weight:600}td.n,th.n{text-align:right;"
	"font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"table.sortable th{cursor:pointer;user-select:none}\n"
	"table.sortable th[aria-sort=ascending]::after{content:\" \\25B2\"}\n"
	"table.sortable th[aria-sort=descending]::after{content:\" \\25BC\"}\n"
	"code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#eef1f5;"
	"padding:0 3px;border-radius:3px;overflow-wrap:break-word}\n"
	".pass,.v-pass,.v-improvement{color:var(--ok);font-weight:600}\n"
	".fail,.v-regression{color:var(--bad);font-weight:600}.v-inconclusive{color:var(--warn)}\n"
	"ul.gates{padding-left:0;list-style:none}ul.gates li{margin:2px 0}\n"
	".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:12px}\n"
	"figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}\n"
	"figcaption{font-weight:600;font-size:.9em}\n"
	"svg.chart{width:100%;height:auto;display:block}\n"
	"svg.chart text{font:11px system-ui,sans-serif;fill:#5b6573}\n"
	".axis{stroke:#8a94a3;stroke-width:1}.grid{stroke:#e6e9ee;stroke-width:1}\n"
	".ref{stroke:#c62828;stroke-width:1.2;stroke-dasharray:5 4}.ref.soft{stroke:#d4a72c}\n"
	".ref.v{stroke:#1a7f37}\n"
	".pt{stroke:#fff;stroke-width:1}.ln{fill:none;stroke-width:1.6}\n"
	".c0{fill:#2f5fb3;stroke:#2f5fb3}.c1{fill:#8e44ad;stroke:#8e44ad}.c2{fill:#1a7f37;stroke:#1a7f37}\n"
	".c3{fill:#c62828;stroke:#c62828}.c4{fill:#d4a72c;stroke:#d4a72c}.c5{fill:#5b6573;stroke:#5b6573}\n"
	".pt.c0,.pt.c1,.pt.c2,.pt.c3,.pt.c4,.pt.c5{stroke:#fff}\n"
	".legend span{margin-right:12px;font-size:.8em}.legend i{display:inline-block;width:10px;"
	"height:10px;border-radius:5px;margin-right:4px}\n"
	".legend i.c0{background:#2f5fb3}.legend i.c1{background:#8e44ad}.legend i.c2{background:#1a7f37}\n"
	".legend i.c3{background:#c62828}.legend i.c4{background:#d4a72c}.legend i.c5{background:#5b6573}\n"
	"footer{color:var(--muted);font-size:.85em;padding-bottom:24px}\n"
	"@media print{body{background:#fff;font-size:10pt}nav{display:none}\n"
	".card{border:none;border-top:2px solid var(--fg);border-radius:0;padding:8px 0;margin:12px 0}\n"
	"header,main,footer,section.comparison{max-width:none;padding:0}\n"
	".table-wrap{overflow:visible}table{font-size:8.5pt}thead{display:table-header-group}\n"
	"tr,figure,.kpi,.banner,li{break-inside:avoid}h2,h3{break-after:avoid}\n"
	".charts{display:block}figure{margin:6px 0}\n"
	"table.sortable th::after{content:none}code{background:none;padding:0}\n"
	".banner{border-width:3px}}\n";

/* Sortable tables: a click (or Enter) on a header sorts by that column,
 * numerically where every cell of it is a number or "-" (which goes last),
 * again to reverse. Never throws on a table without a body or with short
 * rows. No "</" in it (it is raw text in a script element). */
static const char script[] =
	"(function(){\n"
	"'use strict';\n"
	"function txt(c){if(!c)return '';var v=c.getAttribute('data-v');"
	"return (v!==null?v:c.textContent).trim();}\n"
	"function missing(t){return t===''||t==='-';}\n"
	"function isnum(t){return !missing(t)&&isFinite(Number(t));}\n"
	"function sort(table,col,th){\n"
	" var body=table.tBodies[0];if(!body)return;\n"
	" var rows=Array.prototype.slice.call(body.rows);\n"
	" var asc=th.getAttribute('aria-sort')!=='ascending';\n"
	" var numeric=rows.every(function(r){var t=txt(r.cells[col]);return missing(t)||isnum(t);});\n"
	" var keyed=rows.map(function(r,i){return {r:r,i:i,t:txt(r.cells[col])};});\n"
	" keyed.sort(function(a,b){\n"
	"  var ma=missing(a.t),mb=missing(b.t),d;\n"
	"  if(ma||mb)return ma===mb?a.i-b.i:(ma?1:-1);\n"
	"  d=numeric?Number(a.t)-Number(b.t):a.t.localeCompare(b.t);\n"
	"  if(!asc)d=-d;return d||a.i-b.i;});\n"
	" keyed.forEach(function(k){body.appendChild(k.r);});\n"
	" var hs=th.parentNode.cells;\n"
	" for(var j=0;j<hs.length;j++)hs[j].removeAttribute('aria-sort');\n"
	" th.setAttribute('aria-sort',asc?'ascending':'descending');}\n"
	"var tables=document.querySelectorAll('table.sortable');\n"
	"Array.prototype.forEach.call(tables,function(table){\n"
	" if(!table.tHead||!table.tHead.rows.length)return;\n"
	" Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,col){\n"
	"  th.tabIndex=0;th.title='sort';\n"
	"  th.addEventListener('click',function(){sort(table,col,th);});\n"
	"  th.addEventListener('keydown',function(e){if(e.key==='Enter'){sort(table,col,th);}});});\n"
	" table.setAttribute('data-sortable','ready');});\n"
	"})();\n";

/* ---- the writer's helpers ---------------------------------------------------- */

struct html {
	xmlTextWriterPtr w;
	int bad;
};

static double nget(const cJSON *o, const char *k)
{
	const cJSON *x = rec_get(o, k);
	return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

static void start(struct html *h, const char *name)
{
	h->bad |= xmlTextWriterStartElement(h->w, (const xmlChar *)name) < 0;
}

static void end(struct html *h)
{
	h->bad |= xmlTextWriterFullEndElement(h->w) < 0;
}

static void raw(struct html *h, const char *s)
{
	h->bad |= xmlTextWriterWriteRaw(h->w, (const xmlChar *)s) < 0;
}

/* An attribute or text: anything a server sent, cleaned, then escaped. */
static void attr(struct html *h, const char *name, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	report_xml_clean(&sb, value ? value : "");
	h->bad |= sb.toobig ||
		  xmlTextWriterWriteAttribute(h->w, (const xmlChar *)name, (const xmlChar *)sb.buf) < 0;
	strbuf_release(&sb);
}

static void text(struct html *h, const char *value)
{
	struct strbuf sb = STRBUF_INIT;
	report_xml_clean(&sb, value ? value : "");
	h->bad |= sb.toobig || xmlTextWriterWriteString(h->w, (const xmlChar *)sb.buf) < 0;
	strbuf_release(&sb);
}

__attribute__((format(printf, 2, 3)))
static void textf(struct html *h, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	text(h, sb.buf);
	strbuf_release(&sb);
}

__attribute__((format(printf, 3, 4)))
static void attrf(struct html *h, const char *name, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	attr(h, name, sb.buf);
	strbuf_release(&sb);
}

/* <name class="cls">s</name> */
static void elem(struct html *h, const char *name, const char *cls, const char *s)
{
	start(h, name);
	if (cls)
		attr(h, "class", cls);
	text(h, s);
	end(h);
}

static void options_code(struct html *h, const cJSON *opts)
{
	struct strbuf sb = STRBUF_INIT;
	report_options_text(&sb, opts);
	if (sb.len)
		elem(h, "code", NULL, sb.buf);
	else
		text(h, "Ollama's defaults");
	strbuf_release(&sb);
}

/* A number cell: "12.3", or "-" when absent. */
static void num_cell(struct html *h, double v, int decimals)
{
	start(h, "td");
	attr(h, "class", "n");
	if (v == v && fabs(v) >= 1e7) /* bytes: 2.05e+09 (a number to the script) */
		textf(h, "%.3g", v);
	else if (v == v)
		textf(h, "%.*f", decimals, v);
	else
		text(h, "-");
	end(h);
}

static void text_cell(struct html *h, const char *s)
{
	elem(h, "td", NULL, s);
}

/* <table class="sortable"><thead><tr><th>... (a "#" first: numeric) */
static void table_head(struct html *h, const char *cls, const char *const *cols)
{
	start(h, "div");
	attr(h, "class", "table-wrap");
	start(h, "table");
	attr(h, "class", cls);
	start(h, "thead");
	start(h, "tr");
	for (; *cols; cols++) {
		start(h, "th");
		if (**cols == '#') {
			attr(h, "class", "n");
			text(h, *cols + 1);
		} else {
			text(h, *cols);
		}
		end(h);
	}
	end(h);
	end(h);
	start(h, "tbody");
	raw(h, "\n");
}

static void table_end(struct html *h)
{
	end(h); /* tbody */
	end(h); /* table */
	end(h); /* div */
	raw(h, "\n");
}

static void bytes_text(struct strbuf *sb, double b)
{
	if (b == b && b > 0)
		strbuf_addf(sb, "%.1f GiB", b / (1024.0 * 1024 * 1024));
	else
		strbuf_addstr(sb, "unknown");
}

/* ---- charts -------------------------------------------------------------------- */

enum { CW = 560, CH = 300, ML = 58, MR = 18, MT = 16, MB = 44 };
#define MAXREF 4

struct point {
	double x, y;   /* y NaN: known only on the x axis (drawn on it) */
	int color;     /* c0..c5 */
	char tip[160]; /* the point's title */
};

struct chart {
	const char *title, *xlabel, *ylabel;
	int logx;                /* log2 x axis (contexts double) */
	int line;                /* join the points of color 0 */
	struct point *pts;
	size_t n, alloc;
	struct { double v; const char *label; int soft; } href[MAXREF], vref[MAXREF];
	int nh, nv;
	const char *legend[6];   /* per color; NULL: not in the legend */
};

static void chart_add(struct chart *c, double x, double y, int color, const char *tip)
{
	if (!(x == x) || (c->logx && !(x > 0)))
		return;
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 16;
		c->pts = xrealloc(c->pts, c->alloc * sizeof(*c->pts));
	}
	c->pts[c->n].x = x;
	c->pts[c->n].y = y;
	c->pts[c->n].color = color;
	snprintf(c->pts[c->n].tip, sizeof(c->pts[c->n].tip), "%s", tip);
	c->n++;
}

static void chart_href(struct chart *c, double v, const char *label, int soft)
{
	if (v == v && c->nh < MAXREF) {
		c->href[c->nh].v = v;
		c->href[c->nh].label = label;
		c->href[c->nh++].soft = soft;
	}
}

static void chart_vref(struct chart *c, double v, const char *label)
{
	if (v == v && v > 0 && c->nv < MAXREF) {
		c->vref[c->nv].v = v;
		c->vref[c->nv].label = label;
		c->vref[c->nv++].soft = 0;
	}
}

static int cmp_point(const void *a, const void *b)
{
	const struct point *p = a, *q = b;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	if (p->color != q->color)
		return p->color - q->color;
	if ((p->y == p->y) != (q->y == q->y))
		return p->y == p->y ? -1 : 1;
	if (p->y == p->y && p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return strcmp(p->tip, q->tip);
}

/* A round step for about n ticks over range. */
static double nice_step(double range, int n)
{
	double raw_step = range / n, mag = pow(10, floor(log10(raw_step))), f = raw_step / mag;
	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static void tick_label(char *buf, size_t len, double v, int ctx)
{
	if (ctx && v >= 1024 && fmod(v, 1024) == 0)
		snprintf(buf, len, "%gk", v / 1024);
	else
		snprintf(buf, len, "%g", v);
}

static void svg_line(struct html *h, const char *cls, double x1, double y1, double x2, double y2)
{
	start(h, "line");
	attr(h, "class", cls);
	attrf(h, "x1", "%.1f", x1);
	attrf(h, "y1", "%.1f", y1);
	attrf(h, "x2", "%.1f", x2);
	attrf(h, "y2", "%.1f", y2);
	end(h);
}

static void svg_text(struct html *h, double x, double y, const char *anchor, const char *s)
{
	start(h, "text");
	attrf(h, "x", "%.1f", x);
	attrf(h, "y", "%.1f", y);
	if (anchor)
		attr(h, "text-anchor", anchor);
	text(h, s);
	end(h);
}

/* The chart as a <figure> with an inline <svg>, or a note when it has no
 * point. Frees the points. */
static void chart_write(struct html *h, struct chart *c, const char *empty)
{
	double x0 = INFINITY, x1 = -INFINITY, y1 = 0, step, v;
	double pw = CW - ML - MR, ph = CH - MT - MB;
	size_t i;
	int k, have_y = 0, used[6] = { 0 };
	char buf[64];

	start(h, "figure");
	elem(h, "figcaption", NULL, c->title);
	if (!c->n) {
		elem(h, "p", "note", empty);
		end(h);
		raw(h, "\n");
		return;
	}
	qsort(c->pts, c->n, sizeof(*c->pts), cmp_point);
	for (i = 0; i < c->n; i++) {
		used[c->pts[i].color] = 1;
		x0 = fmin(x0, c->pts[i].x);
		x1 = fmax(x1, c->pts[i].x);
		if (c->pts[i].y == c->pts[i].y) {
			y1 = fmax(y1, c->pts[i].y);
			have_y = 1;
		}
	}
	for (k = 0; k < c->nv; k++) {
		x0 = fmin(x0, c->vref[k].v);
		x1 = fmax(x1, c->vref[k].v);
	}
	for (k = 0; k < c->nh; k++)
		y1 = fmax(y1, c->href[k].v);
	if (!have_y && !c->nh)
		y1 = 1;
	if (c->logx) {
		x0 = floor(log2(x0));
		x1 = ceil(log2(x1));
		if (x1 <= x0)
			x1 = x0 + 1;
	} else if (x1 <= x0) {
		x0 = x0 > 0 ? 0 : x0 - 1;
		x1 = x1 + 1;
	} else {
		x0 = 0;
	}
	step = nice_step(y1 > 0 ? y1 * 1.08 : 1, 5);
	y1 = ceil((y1 > 0 ? y1 * 1.08 : 1) / step) * step;
#define PX(x) (ML + ((c->logx ? log2(x) : (x)) - x0) / (x1 - x0) * pw)
#define PY(y) (MT + ph - (y) / y1 * ph)

	start(h, "svg");
	attr(h, "class", "chart");
	attrf(h, "viewBox", "0 0 %d %d", CW, CH);
	attr(h, "role", "img");
	attr(h, "aria-label", c->title);
	/* grid and y ticks */
	for (v = 0; v <= y1 + step / 2; v += step) {
		svg_line(h, "grid", ML, PY(v), ML + pw, PY(v));
		tick_label(buf, sizeof(buf), v, 0);
		svg_text(h, ML - 6, PY(v) + 4, "end", buf);
	}
	/* x ticks: powers of two, or round steps */
	if (c->logx) {
		double e, every = ceil((x1 - x0) / 8);
		for (e = x0; e <= x1; e += every) {
			double xv = pow(2, e);
			svg_line(h, "grid", PX(xv), MT, PX(xv), MT + ph);
			tick_label(buf, sizeof(buf), xv, 1);
			svg_text(h, PX(xv), MT + ph + 16, "middle", buf);
		}
	} else {
		double xs = nice_step(x1 - x0, 6);
		for (v = ceil(x0 / xs) * xs; v <= x1 + xs / 1000; v += xs) {
			svg_line(h, "grid", PX(v), MT, PX(v), MT + ph);
			tick_label(buf, sizeof(buf), v, 1);
			svg_text(h, PX(v), MT + ph + 16, "middle", buf);
		}
	}
	svg_line(h, "axis", ML, MT + ph, ML + pw, MT + ph);
	svg_line(h, "axis", ML, MT, ML, MT + ph);
	svg_text(h, ML + pw / 2, CH - 6, "middle", c->xlabel);
	start(h, "text");
	attr(h, "transform", "rotate(-90)");
	attrf(h, "x", "%.1f", -(MT + ph / 2));
	attr(h, "y", "14");
	attr(h, "text-anchor", "middle");
	text(h, c->ylabel);
	end(h);
	/* reference lines */
	for (k = 0; k < c->nh; k++) {
		svg_line(h, c->href[k].soft ? "ref soft" : "ref", ML, PY(c->href[k].v), ML + pw,
			 PY(c->href[k].v));
		/* soft lines say so on the left, the others on the right */
		svg_text(h, c->href[k].soft ? ML + 4 : ML + pw - 4, PY(c->href[k].v) - 4,
			 c->href[k].soft ? "start" : "end", c->href[k].label);
	}
	for (k = 0; k < c->nv; k++) {
		svg_line(h, "ref v", PX(c->vref[k].v), MT, PX(c->vref[k].v), MT + ph);
		svg_text(h, PX(c->vref[k].v) - 4, MT + 12 + 12 * k, "end", c->vref[k].label);
	}
	/* the line through color 0's points, then every point */
	if (c->line) {
		struct strbuf pts = STRBUF_INIT;
		for (i = 0; i < c->n; i++)
			if (c->pts[i].color == 0 && c->pts[i].y == c->pts[i].y)
				strbuf_addf(&pts, "%s%.1f,%.1f", pts.len ? " " : "", PX(c->pts[i].x),
					    PY(c->pts[i].y));
		if (pts.len) {
			start(h, "polyline");
			attr(h, "class", "ln c0");
			attr(h, "points", pts.buf);
			end(h);
		}
		strbuf_release(&pts);
	}
	for (i = 0; i < c->n; i++) {
		const struct point *p = &c->pts[i];
		snprintf(buf, sizeof(buf), "pt c%d", p->color);
		if (p->y == p->y) {
			start(h, "circle");
			attr(h, "class", buf);
			attrf(h, "cx", "%.1f", PX(p->x));
			attrf(h, "cy", "%.1f", PY(p->y));
			attr(h, "r", "4");
		} else { /* no reading: a square on the x axis */
			start(h, "rect");
			attr(h, "class", buf);
			attrf(h, "x", "%.1f", PX(p->x) - 4);
			attrf(h, "y", "%.1f", MT + ph - 4);
			attr(h, "width", "8");
			attr(h, "height", "8");
		}
		elem(h, "title", NULL, p->tip);
		end(h);
	}
#undef PX
#undef PY
	end(h); /* svg */
	start(h, "div");
	attr(h, "class", "legend");
	for (k = 0; k < 6; k++)
		if (c->legend[k] && used[k]) {
			start(h, "span");
			start(h, "i");
			attrf(h, "class", "c%d", k);
			end(h);
			text(h, c->legend[k]);
			end(h);
		}
	end(h);
	end(h); /* figure */
	raw(h, "\n");
	free(c->pts);
	c->pts = NULL;
	c->n = c->alloc = 0;
}

/* The model's records of a phase (key ending in "|id=<hash>"), in turn. */
static int model_record(const cJSON *rec, const char *hash, const char *phase)
{
	const char *key = rec_str_or(rec, RK_KEY, ""), *at = strstr(key, "|id=");
	return hash && at && !strcmp(at + 4, hash) && !strcmp(rec_str_or(rec, RK_PHASE, ""), phase);
}

static int outcome_color(const char *o)
{
	if (!strcmp(o, "fits"))
		return 2;
	if (!strcmp(o, "offload"))
		return 4;
	if (!strcmp(o, "over_limit"))
		return 1;
	return 3; /* oom, error */
}

static void charts(struct html *h, const struct report_run *run, const cJSON *m)
{
	const cJSON *crit = rec_get(m, "criteria"), *c = rec_get(m, "ceiling"), *u = rec_get(c, "usable"), *t, *r;
	const char *hash = rec_str(rec_get(m, "identity"), "hash");
	struct chart dec = { .title = "Decode against num_ctx (trials)", .xlabel = "num_ctx",
			     .ylabel = "decode tok/s", .logx = 1 };
	struct chart ttft = { .title = "TTFT against num_ctx (trials)", .xlabel = "num_ctx",
			      .ylabel = "TTFT ms", .logx = 1 };
	struct chart mem = { .title = "Memory against num_ctx (probes and trials)",
			     .xlabel = "num_ctx", .ylabel = "memory %", .logx = 1 };
	struct chart depth = { .title = "Decode against filled depth",
			       .xlabel = "tokens in the context", .ylabel = "decode tok/s", .line = 1 };
	char tip[160], lbl[4][64];
	double maxpct = nget(crit, "gpu_memory_max_pct");
	int probes_with_memory = 0;

	start(h, "h3");
	text(h, "Charts");
	end(h);
	start(h, "div");
	attr(h, "class", "charts");
	raw(h, "\n");

	dec.legend[0] = "meets the criteria";
	dec.legend[3] = "does not";
	ttft.legend[0] = dec.legend[0];
	ttft.legend[3] = dec.legend[3];
	cJSON_ArrayForEach(t, rec_get(m, "trials")) {
		double ctx = nget(rec_get(t, "options"), "num_ctx");
		int color = cJSON_IsTrue(rec_get(t, "meets")) ? 0 : 3;
		snprintf(tip, sizeof(tip), "num_ctx %g: %.1f tok/s", ctx, nget(t, "decode_tps"));
		if (rec_get(t, "decode_tps"))
			chart_add(&dec, ctx, nget(t, "decode_tps"), color, tip);
		snprintf(tip, sizeof(tip), "num_ctx %g: TTFT %.1f ms", ctx, nget(t, "ttft_ms"));
		if (rec_get(t, "ttft_ms"))
			chart_add(&ttft, ctx, nget(t, "ttft_ms"), color, tip);
	}
	snprintf(lbl[0], sizeof(lbl[0]), "floor %g tok/s", nget(crit, "decode_tps_min"));
	chart_href(&dec, nget(crit, "decode_tps_min"), lbl[0], 0);
	snprintf(lbl[1], sizeof(lbl[1]), "limit %g ms", nget(crit, "ttft_s") * 1000);
	chart_href(&ttft, nget(crit, "ttft_s") * 1000, lbl[1], 0);
	chart_write(h, &dec, "No trial measured decode.");
	chart_write(h, &ttft, "No trial measured TTFT.");

	/* memory: the probes' readings (records) by outcome, the trials' peaks */
	mem.legend[2] = "probe: fits";
	mem.legend[4] = "probe: offload";
	mem.legend[1] = "probe: over the limit";
	mem.legend[3] = "probe: failed";
	mem.legend[0] = "trial: peak";
	cJSON_ArrayForEach(r, run->records) {
		double ctx = nget(rec_get(r, RK_OPTIONS), "num_ctx"), pct;
		if (model_record(r, hash, "ceiling-probe")) {
			const char *o = rec_str_or(r, RK_OUTCOME, "error");
			pct = nget(rec_get(r, "memory"), "pct");
			snprintf(tip, sizeof(tip), "probe num_ctx %g: %s, memory %.1f %%", ctx, o, pct);
			chart_add(&mem, ctx, pct, outcome_color(o), tip);
			probes_with_memory++;
		} else if (model_record(r, hash, "trial")) {
			pct = nget(rec_get(rec_get(r, "monitor"), "memory"), "peak_pct");
			snprintf(tip, sizeof(tip), "trial num_ctx %g: peak memory %.1f %%", ctx, pct);
			if (pct == pct)
				chart_add(&mem, ctx, pct, 0, tip);
		}
	}
	if (!probes_with_memory) /* no records: the outcomes alone, on the axis */
		cJSON_ArrayForEach(r, rec_get(c, "probes")) {
			const char *o = rec_str_or(r, "outcome", "error");
			snprintf(tip, sizeof(tip), "probe num_ctx %g: %s (no memory reading)",
				 nget(r, "num_ctx"), o);
			chart_add(&mem, nget(r, "num_ctx"), NAN, outcome_color(o), tip);
		}
	chart_href(&mem, 85, "85 %", 1);
	snprintf(lbl[2], sizeof(lbl[2]), "%g %% (limit)", maxpct == maxpct ? maxpct : 90);
	chart_href(&mem, maxpct == maxpct ? maxpct : 90, lbl[2], 0);
	chart_write(h, &mem, "No load probe.");

	/* decode at depth: the measured depths, the fill-confirm, the floor */
	depth.legend[0] = "depth probe";
	depth.legend[2] = "fill-confirm";
	cJSON_ArrayForEach(r, rec_get(c, "depth_points")) {
		snprintf(tip, sizeof(tip), "depth %g: %.1f tok/s", nget(r, "depth"), nget(r, "decode_tps"));
		chart_add(&depth, nget(r, "depth"), nget(r, "decode_tps"), 0, tip);
	}
	if (rec_get(u, "fill_tokens") && rec_get(u, "decode_tps_at_fill")) {
		snprintf(tip, sizeof(tip), "fill-confirm, %g tokens: %.1f tok/s", nget(u, "fill_tokens"),
			 nget(u, "decode_tps_at_fill"));
		chart_add(&depth, nget(u, "fill_tokens"), nget(u, "decode_tps_at_fill"), 2, tip);
	}
	if (depth.n) {
		snprintf(lbl[3], sizeof(lbl[3]), "floor %g tok/s", nget(u, "floor_tps"));
		chart_href(&depth, nget(u, "floor_tps"), lbl[3], 0);
		chart_vref(&depth, nget(u, "num_ctx"), "usable");
	}
	chart_write(h, &depth, "No decode measured at depth.");
	end(h); /* div.charts */
	raw(h, "\n");
}

/* ---- the model cards --------------------------------------------------------- */

static void kpi(struct html *h, const char *label, const char *value, const char *sub)
{
	start(h, "div");
	attr(h, "class", "kpi");
	elem(h, "div", "label", label);
	elem(h, "div", "v", value);
	if (sub)
		elem(h, "div", "sub", sub);
	end(h);
	raw(h, "\n");
}

static void ceilings(struct html *h, const cJSON *c)
{
	const cJSON *u = rec_get(c, "usable");
	const char *limited = rec_str(u, "limited_by");
	struct strbuf v = STRBUF_INIT, sub = STRBUF_INIT;
	double ttft = rec_get(u, "ttft_server_ms_at_fill") ? nget(u, "ttft_server_ms_at_fill") :
		      nget(u, "ttft_ms_at_fill");

	start(h, "div");
	attr(h, "class", "kpis");
	if (rec_get(c, "loads_up_to"))
		strbuf_addf(&v, "%.0f tokens", nget(c, "loads_up_to"));
	else
		strbuf_addstr(&v, "-");
	strbuf_addf(&sub, "load-only probes, %s; ", rec_str_or(c, "memory", "GPU memory"));
	if (rec_get(c, "first_bad"))
		strbuf_addf(&sub, "at %.0f tokens the probe %s", nget(c, "first_bad"),
			    report_outcome_words(rec_str(c, "bad_outcome")));
	else
		strbuf_addf(&sub, "every context up to the search's maximum of %.0f fits",
			    nget(c, "max_probed"));
	if (strcmp(rec_str_or(c, "placement", "gpu"), "gpu"))
		strbuf_addf(&sub, "; placement: %s", rec_str_or(c, "placement", ""));
	kpi(h, "Loads up to", v.buf, sub.buf);
	strbuf_reset(&v);
	strbuf_reset(&sub);
	if (nget(u, "num_ctx") > 0) {
		strbuf_addf(&v, "%.0f tokens", nget(u, "num_ctx"));
		strbuf_addf(&sub, "%.1f tok/s decode", nget(u, "decode_tps_at_fill"));
		if (ttft == ttft)
			strbuf_addf(&sub, " and TTFT %.1f s", ttft / 1000);
		strbuf_addf(&sub, " at %.0f %% fill (%.0f tokens, needle found)",
			    nget(u, "fill_ratio") * 100, nget(u, "fill_tokens"));
		if (limited && !strcmp(limited, "speed"))
			strbuf_addf(&sub, "; limited by speed: beyond it decode at fill falls below "
				    "the floor of %.1f tok/s", nget(u, "floor_tps"));
		else if (limited && !strcmp(limited, "needle"))
			strbuf_addstr(&sub, "; limited by the needle: beyond it the needle was lost");
		else if (limited)
			strbuf_addf(&sub, "; limited by %s", limited);
		if (rec_get(u, "predicted"))
			strbuf_addf(&sub, " (the line through %d measured depths predicted %.0f)",
				    cJSON_GetArraySize(rec_get(c, "depth_points")), nget(u, "predicted"));
	} else {
		strbuf_addstr(&v, "none proven");
		strbuf_addstr(&sub, rec_str_or(c, "fill_confirm_miss", "no fill-confirm ran"));
	}
	kpi(h, "Usable up to", v.buf, sub.buf);
	end(h);
	raw(h, "\n");
	strbuf_release(&v);
	strbuf_release(&sub);
}

static void presets(struct html *h, const cJSON *p)
{
	static const char *const which[] = { "max_ctx", "fast" };
	static const char *const cols[] = { "preset", "options", "#decode tok/s", "#TTFT ms",
					    "#decode tok/s at fill", "#TTFT s at fill",
					    "#loads up to", "evidence", "rollback", NULL };
	const cJSON *ev;
	size_t i;

	elem(h, "h3", NULL, "Presets");
	table_head(h, "presets", cols);
	for (i = 0; i < 2; i++) {
		const cJSON *pr = rec_get(p, which[i]);
		start(h, "tr");
		elem(h, "td", NULL, which[i]);
		if (!pr) {
			start(h, "td");
			attr(h, "colspan", "8");
			text(h, "none meets the criteria");
			end(h);
			end(h);
			raw(h, "\n");
			continue;
		}
		start(h, "td");
		options_code(h, rec_get(pr, "options"));
		end(h);
		num_cell(h, nget(pr, "decode_tps"), 1);
		num_cell(h, nget(pr, "ttft_ms"), 1);
		num_cell(h, nget(pr, "decode_tps_at_fill"), 1);
		num_cell(h, nget(pr, "ttft_ms_at_fill") / 1000, 1);
		num_cell(h, nget(pr, "loads_up_to"), 0);
		start(h, "td");
		cJSON_ArrayForEach(ev, rec_get(pr, "evidence")) {
			if (ev != rec_get(pr, "evidence")->child)
				raw(h, " ");
			elem(h, "code", NULL, cJSON_GetStringValue(ev) ? ev->valuestring : "?");
		}
		end(h);
		start(h, "td");
		text(h, rec_str_or(rec_get(pr, "rollback"), "description", "Ollama's defaults (no options)"));
		end(h);
		end(h);
		raw(h, "\n");
	}
	table_end(h);
	if (cJSON_GetStringValue(rec_get(rec_get(rec_get(p, "fast"), "choice"), "choice"))) {
		start(h, "p");
		elem(h, "strong", NULL, "fast: ");
		elem(h, "span", "msg", rec_str_or(rec_get(rec_get(p, "fast"), "choice"), "choice", ""));
		end(h);
		raw(h, "\n");
	}
}

static void findings(struct html *h, const cJSON *m)
{
	const cJSON *ch = rec_get(m, "identity_change"), *c = rec_get(m, "ceiling");
	if (!rec_get(m, "finding") && !ch && !rec_get(c, "usable_note") && !rec_get(c, "fill_confirm_miss"))
		return;
	elem(h, "h3", NULL, "Findings");
	start(h, "ul");
	if (rec_get(m, "finding")) {
		start(h, "li");
		elem(h, "strong", NULL, "Finding: ");
		elem(h, "span", "msg", rec_str_or(m, "finding", ""));
		end(h);
	}
	if (ch) {
		start(h, "li");
		elem(h, "strong", NULL, "Measured again: ");
		elem(h, "span", "msg", rec_str_or(ch, "what", ""));
		textf(h, " (%.0f steps)", nget(ch, "steps_measured_again"));
		end(h);
	}
	if (rec_get(c, "usable_note")) {
		start(h, "li");
		elem(h, "strong", NULL, "Fill: ");
		elem(h, "span", "msg", rec_str_or(c, "usable_note", ""));
		end(h);
	}
	if (rec_get(c, "fill_confirm_miss")) {
		start(h, "li");
		elem(h, "strong", NULL, "Fill-confirm: ");
		elem(h, "span", "msg", rec_str_or(c, "fill_confirm_miss", ""));
		end(h);
	}
	end(h);
	raw(h, "\n");
}

static void gates(struct html *h, const cJSON *m)
{
	const cJSON *g;
	if (!cJSON_GetArraySize(rec_get(m, "gates")))
		return;
	elem(h, "h3", NULL, "Gates");
	start(h, "ul");
	attr(h, "class", "gates");
	cJSON_ArrayForEach(g, rec_get(m, "gates")) {
		int pass = cJSON_IsTrue(rec_get(g, "pass"));
		start(h, "li");
		elem(h, "span", pass ? "pass" : "fail", pass ? "PASS" : "FAIL");
		raw(h, " ");
		elem(h, "code", NULL, rec_str_or(g, "name", "?"));
		if (rec_get(g, "message")) {
			text(h, ": ");
			elem(h, "span", "msg", rec_str_or(g, "message", ""));
		}
		end(h);
		raw(h, "\n");
	}
	end(h);
	raw(h, "\n");
}

static void trials(struct html *h, const cJSON *m)
{
	static const char *const cols[] = { "trial", "options", "#num_ctx", "#decode tok/s",
					    "#TTFT ms", "#prefill tok/s", "#GPU %", "verdict", NULL };
	const cJSON *t;
	elem(h, "h3", NULL, "Trials");
	if (!cJSON_GetArraySize(rec_get(m, "trials"))) {
		elem(h, "p", "note", "No trial ran.");
		return;
	}
	table_head(h, "sortable trials", cols);
	cJSON_ArrayForEach(t, rec_get(m, "trials")) {
		start(h, "tr");
		start(h, "td");
		elem(h, "code", NULL, rec_str_or(t, "id", "-"));
		end(h);
		start(h, "td");
		options_code(h, rec_get(t, "options"));
		end(h);
		num_cell(h, nget(rec_get(t, "options"), "num_ctx"), 0);
		num_cell(h, nget(t, "decode_tps"), 1);
		num_cell(h, nget(t, "ttft_ms"), 1);
		num_cell(h, nget(t, "prefill_tps"), 0);
		num_cell(h, nget(t, "gpu_pct"), 1);
		start(h, "td");
		if (cJSON_IsTrue(rec_get(t, "meets")))
			elem(h, "span", "pass", "meets every criterion");
		else if (rec_get(t, "error"))
			elem(h, "span", "msg error", rec_str_or(t, "error", "error"));
		else
			elem(h, "span", "msg", rec_str_or(t, "why", "-"));
		end(h);
		end(h);
		raw(h, "\n");
	}
	table_end(h);
}

static void stability(struct html *h, const cJSON *m)
{
	static const char *const cols[] = { "preset", "#streams", "#requests", "#success %", "#OOM",
					    "#TTFT p99 ms", "#limit ms", "#samples", "clock",
					    "#errors", NULL };
	const cJSON *s;
	if (!cJSON_GetArraySize(rec_get(m, "stability")))
		return;
	elem(h, "h3", NULL, "Stability");
	table_head(h, "sortable stability", cols);
	cJSON_ArrayForEach(s, rec_get(m, "stability")) {
		start(h, "tr");
		text_cell(h, rec_str_or(s, "preset", ""));
		num_cell(h, nget(s, "streams"), 0);
		num_cell(h, nget(s, "requests"), 0);
		num_cell(h, nget(s, "success_pct"), 1);
		num_cell(h, nget(s, "oom"), 0);
		num_cell(h, nget(s, "ttft_p99_ms"), 0);
		num_cell(h, nget(s, "ttft_p99_limit_ms"), 0);
		num_cell(h, nget(s, "samples"), 0);
		text_cell(h, rec_str_or(s, "ttft_basis", "-"));
		num_cell(h, nget(s, "errors"), 0);
		end(h);
		raw(h, "\n");
	}
	table_end(h);
}

static void model_card(struct html *h, const struct report_run *run, const cJSON *m, int n)
{
	const cJSON *id = rec_get(m, "identity"), *crit = rec_get(m, "criteria"), *k;
	struct strbuf sb = STRBUF_INIT;

	start(h, "section");
	attr(h, "class", "card model");
	attrf(h, "id", "model-%d", n);
	raw(h, "\n");
	elem(h, "h2", NULL, rec_str_or(m, "model", "?"));
	if (rec_get(m, "server_knobs")) {
		start(h, "p");
		text(h, "Server started by o3 with ");
		options_code(h, rec_get(m, "server_knobs"));
		text(h, ".");
		end(h);
	}
	if (rec_get(m, "error")) {
		start(h, "p");
		elem(h, "span", "error", "Not measured: ");
		elem(h, "span", "msg", rec_str_or(m, "error", ""));
		end(h);
		end(h);
		raw(h, "\n");
		return;
	}
	if (cJSON_IsTrue(rec_get(id, "simulated"))) {
		start(h, "p");
		attr(h, "class", "warn");
		textf(h, "SIMULATED: measured on ");
		text(h, rec_str_or(id, "simulator", "o3-sim"));
		text(h, ", not on a real server.");
		end(h);
	}
	if (cJSON_IsFalse(rec_get(m, "complete")))
		elem(h, "p", "warn", "Not finished (the run was interrupted or the server went away): "
		     "what follows is partial, and no gate was judged. Run the same command again "
		     "to finish.");
	start(h, "p");
	attr(h, "class", "muted");
	textf(h, "Parameters %.1fB, trained context %.0f. Criteria: TTFT < %g s, decode > %g tok/s, "
	      "peak memory < %g %%. Model digest ", nget(m, "params_b"), nget(m, "trained_context"),
	      nget(crit, "ttft_s"), nget(crit, "decode_tps_min"), nget(crit, "gpu_memory_max_pct"));
	strbuf_add(&sb, rec_str_or(id, "model_digest", "unknown"),
		   strnlen(rec_str_or(id, "model_digest", "unknown"), 19));
	elem(h, "code", NULL, sb.buf);
	strbuf_reset(&sb);
	text(h, ", server knobs (");
	text(h, rec_str_or(id, "server_knobs_source", "unknown"));
	text(h, "):");
	if (!cJSON_GetArraySize(rec_get(id, "server_knobs")))
		text(h, " none known");
	cJSON_ArrayForEach(k, rec_get(id, "server_knobs")) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s=%s", k->string ? k->string : "?",
			    cJSON_GetStringValue(k) ? k->valuestring : "?");
		text(h, " ");
		elem(h, "code", NULL, sb.buf);
	}
	text(h, ", identity ");
	elem(h, "code", NULL, rec_str_or(id, "hash", "?"));
	text(h, ".");
	end(h);
	raw(h, "\n");
	strbuf_release(&sb);
	ceilings(h, rec_get(m, "ceiling"));
	presets(h, rec_get(m, "presets"));
	findings(h, m);
	gates(h, m);
	charts(h, run, m);
	trials(h, m);
	stability(h, m);
	end(h);
	raw(h, "\n");
}

/* ---- the run's identity and the comparison ------------------------------------- */

static void dl_item(struct html *h, const char *dt, const char *dd)
{
	elem(h, "dt", NULL, dt);
	elem(h, "dd", NULL, dd);
	raw(h, "\n");
}

static const char *prop(const struct report_run *run, const char *k)
{
	return rec_str(run->properties, k);
}

static void identity(struct html *h, const struct report_run *run, const cJSON *models)
{
	const cJSON *env = run->env, *srv = rec_get(env, "ollama"), *m, *id = NULL, *mach, *k;
	struct strbuf sb = STRBUF_INIT;

	cJSON_ArrayForEach(m, models)
		if (!id && rec_get(m, "identity"))
			id = rec_get(m, "identity");
	mach = rec_get(id, "machine");
	start(h, "dl");
	attr(h, "class", "identity");
	raw(h, "\n");
	dl_item(h, "suite", run->suite_name ? run->suite_name : "?");
	dl_item(h, "o3", prop(run, "o3_version") ? prop(run, "o3_version") :
		rec_str_or(env, "o3_version", "?"));
	strbuf_addstr(&sb, prop(run, "ollama_version") ? prop(run, "ollama_version") :
		      rec_str_or(srv, "version", "?"));
	strbuf_addf(&sb, " at %s", prop(run, "ollama_url") ? prop(run, "ollama_url") :
		    rec_str_or(srv, "url", "?"));
	if (cJSON_IsTrue(rec_get(srv, "simulated")) || cJSON_IsTrue(rec_get(run->properties, "simulated")))
		strbuf_addf(&sb, " (simulated: %s)", prop(run, "simulator") ? prop(run, "simulator") :
			    rec_str_or(srv, "simulator", "o3-sim"));
	dl_item(h, "Ollama", sb.buf);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, rec_str_or(mach, "gpu", prop(run, "gpu") ? prop(run, "gpu") : "unknown"));
	if (rec_get(mach, "gpu_memory_bytes")) {
		strbuf_addstr(&sb, ", ");
		bytes_text(&sb, nget(mach, "gpu_memory_bytes"));
	}
	if (rec_get(mach, "driver"))
		strbuf_addf(&sb, ", driver %s", rec_str_or(mach, "driver", ""));
	dl_item(h, "GPU", sb.buf);
	strbuf_reset(&sb);
	bytes_text(&sb, rec_get(mach, "memory_bytes") ? nget(mach, "memory_bytes") : nget(env, "ram_bytes"));
	dl_item(h, "memory", sb.buf);
	strbuf_reset(&sb);
	dl_item(h, "CPU", rec_str_or(rec_get(env, "cpu"), "model", "unknown"));
	strbuf_addstr(&sb, rec_str_or(mach, "kernel", prop(run, "kernel") ? prop(run, "kernel") :
				rec_str_or(rec_get(env, "kernel"), "release", "unknown")));
	if (rec_get(env, "distribution"))
		strbuf_addf(&sb, " (%s)", rec_str_or(env, "distribution", ""));
	dl_item(h, "kernel", sb.buf);
	strbuf_reset(&sb);
	cJSON_ArrayForEach(k, rec_get(id, "server_knobs"))
		strbuf_addf(&sb, "%s%s=%s", sb.len ? " " : "", k->string ? k->string : "?",
			    cJSON_GetStringValue(k) ? k->valuestring : "?");
	strbuf_addf(&sb, "%s(source: %s)", sb.len ? " " : "none known ",
		    rec_str_or(id, "server_knobs_source", "unknown"));
	dl_item(h, "server knobs", sb.buf);
	strbuf_reset(&sb);
	if (run->timestamp) {
		strbuf_addf(&sb, "%s UTC", run->timestamp);
		if (run->hostname)
			strbuf_addf(&sb, " on %s", run->hostname);
		dl_item(h, "started", sb.buf);
	}
	end(h);
	raw(h, "\n");
	strbuf_release(&sb);
}

static void comparison(struct html *h, const cJSON *comparisons)
{
	static const char *const ccols[] = { "ceiling", "#baseline", "#now", "verdict", NULL };
	static const char *const vcols[] = { "preset", "metric", "verdict", "#baseline median",
					     "#median", "#change %", "#p", "interval", "#n baseline",
					     "#n", NULL };
	const cJSON *cmp, *v;
	if (!cJSON_GetArraySize(comparisons))
		return;
	start(h, "section");
	attr(h, "class", "comparison");
	attr(h, "id", "comparison");
	raw(h, "\n");
	elem(h, "h2", NULL, "Comparison with the baseline");
	cJSON_ArrayForEach(cmp, comparisons) {
		char cls[64];
		start(h, "div");
		attr(h, "class", "card");
		elem(h, "h3", NULL, rec_str_or(cmp, "model", "?"));
		if (rec_get(cmp, "profile")) {
			start(h, "p");
			attr(h, "class", "muted");
			text(h, "Baseline profile ");
			elem(h, "code", NULL, rec_str_or(cmp, "profile", ""));
			end(h);
		}
		if (rec_get(cmp, "identity_change"))
			elem(h, "p", "msg", rec_str_or(cmp, "identity_change", ""));
		if (cJSON_GetArraySize(rec_get(cmp, "ceilings"))) {
			table_head(h, "sortable ceilings", ccols);
			cJSON_ArrayForEach(v, rec_get(cmp, "ceilings")) {
				start(h, "tr");
				text_cell(h, rec_str_or(v, "what", "?"));
				num_cell(h, nget(v, "baseline"), 0);
				num_cell(h, nget(v, "now"), 0);
				snprintf(cls, sizeof(cls), "v-%s", rec_str_or(v, "verdict", "?"));
				elem(h, "td", cls, rec_str_or(v, "verdict", "?"));
				end(h);
				raw(h, "\n");
			}
			table_end(h);
		}
		table_head(h, "sortable verdicts", vcols);
		cJSON_ArrayForEach(v, rec_get(cmp, "verdicts")) {
			const cJSON *iv = rec_get(v, "interval");
			start(h, "tr");
			text_cell(h, rec_str_or(v, "preset", "?"));
			text_cell(h, rec_str_or(v, "metric", "?"));
			snprintf(cls, sizeof(cls), "v-%s", rec_str_or(v, "verdict", "?"));
			elem(h, "td", cls, rec_str_or(v, "verdict", "?"));
			num_cell(h, nget(v, "baseline_median"), 2);
			num_cell(h, nget(v, "median"), 2);
			num_cell(h, nget(v, "change_pct"), 1);
			num_cell(h, nget(v, "p"), 3);
			start(h, "td");
			if (cJSON_GetArraySize(iv) == 2)
				textf(h, "[%.3f, %.3f]", cJSON_GetNumberValue(cJSON_GetArrayItem(iv, 0)),
				      cJSON_GetNumberValue(cJSON_GetArrayItem(iv, 1)));
			else
				text(h, "-");
			end(h);
			num_cell(h, nget(v, "n_baseline"), 0);
			num_cell(h, nget(v, "n"), 0);
			end(h);
			raw(h, "\n");
		}
		table_end(h);
		end(h);
		raw(h, "\n");
	}
	end(h);
	raw(h, "\n");
}

/* ---- the document ---------------------------------------------------------------- */

struct html_state {
	const struct report_run *run;
	char path[4200];
	cJSON *models; /* references to the summaries */
};

static int simulated(const struct report_run *run, const cJSON *models)
{
	const cJSON *m;
	if (cJSON_IsTrue(rec_get(run->properties, "simulated")) ||
	    cJSON_IsTrue(rec_get(rec_get(run->env, "ollama"), "simulated")))
		return 1;
	cJSON_ArrayForEach(m, models)
		if (cJSON_IsTrue(rec_get(rec_get(m, "identity"), "simulated")))
			return 1;
	return 0;
}

/* The page up to its header's title: the doctype, the head with the style,
 * and <body><header><h1>title</h1>; the header is left open. */
static void page_head(struct html *h, const char *title)
{
	h->bad |= xmlTextWriterWriteDTD(h->w, (const xmlChar *)"html", NULL, NULL, NULL) < 0;
	raw(h, "\n");
	start(h, "html");
	attr(h, "lang", "en");
	raw(h, "\n");
	start(h, "head");
	raw(h, "\n");
	start(h, "meta");
	attr(h, "charset", "utf-8");
	h->bad |= xmlTextWriterEndElement(h->w) < 0;
	raw(h, "\n");
	start(h, "meta");
	attr(h, "name", "viewport");
	attr(h, "content", "width=device-width, initial-scale=1");
	h->bad |= xmlTextWriterEndElement(h->w) < 0;
	raw(h, "\n");
	elem(h, "title", NULL, title);
	raw(h, "\n");
	start(h, "style");
	raw(h, "\n");
	raw(h, style);
	end(h);
	raw(h, "\n");
	end(h); /* head */
	raw(h, "\n");
	start(h, "body");
	raw(h, "\n");
	start(h, "header");
	raw(h, "\n");
	elem(h, "h1", NULL, title);
	raw(h, "\n");
}

/* The footer, the script, and the end of the page. */
static void page_tail(struct html *h, const char *o3_version)
{
	start(h, "footer");
	text(h, "Written by o3 ");
	text(h, o3_version);
	text(h, ". This page is one file: it loads nothing from the network.");
	end(h);
	raw(h, "\n");
	start(h, "script");
	raw(h, "\n");
	raw(h, script);
	end(h);
	raw(h, "\n");
	end(h); /* body */
	raw(h, "\n");
	end(h); /* html */
	raw(h, "\n");
}

static int write_doc(struct html *h, const struct html_state *st)
{
	const struct report_run *run = st->run;
	const cJSON *m;
	struct strbuf title = STRBUF_INIT;
	int n = 0;

	strbuf_addf(&title, "O3 run: suite %s", run->suite_name ? run->suite_name : "?");
	page_head(h, title.buf);
	strbuf_release(&title);
	if (simulated(run, st->models)) {
		start(h, "div");
		attr(h, "class", "banner");
		attr(h, "role", "alert");
		text(h, "SIMULATED RESULTS. The server was ");
		text(h, prop(run, "simulator") ? prop(run, "simulator") :
		     rec_str_or(rec_get(run->env, "ollama"), "simulator", "o3-sim"));
		text(h, ", o3's simulator: no number below was measured on real hardware, and no "
		     "preset here is to be applied.");
		end(h);
		raw(h, "\n");
	}
	identity(h, run, st->models);
	end(h); /* header */
	raw(h, "\n");
	if (cJSON_GetArraySize(st->models) || cJSON_GetArraySize(run->comparisons)) {
		start(h, "nav");
		start(h, "ul");
		cJSON_ArrayForEach(m, st->models) {
			start(h, "li");
			start(h, "a");
			attrf(h, "href", "#model-%d", ++n);
			text(h, rec_str_or(m, "model", "?"));
			end(h);
			end(h);
		}
		if (cJSON_GetArraySize(run->comparisons)) {
			start(h, "li");
			start(h, "a");
			attr(h, "href", "#comparison");
			text(h, "comparison with the baseline");
			end(h);
			end(h);
		}
		end(h);
		end(h);
		raw(h, "\n");
	}
	start(h, "main");
	raw(h, "\n");
	n = 0;
	cJSON_ArrayForEach(m, st->models)
		model_card(h, run, m, ++n);
	if (!n)
		elem(h, "p", "note", "No model was measured.");
	end(h); /* main */
	raw(h, "\n");
	comparison(h, run->comparisons);
	page_tail(h, prop(run, "o3_version") ? prop(run, "o3_version") :
		  rec_str_or(run->env, "o3_version", "?"));
	return h->bad ? -1 : 0;
}

static int html_begin(const struct report_run *run, void **state)
{
	struct html_state *st = xcalloc(1, sizeof(*st));
	int n = snprintf(st->path, sizeof(st->path), "%s/report.html", run->dir);
	st->run = run;
	if (n < 0 || (size_t)n >= sizeof(st->path) || record_mkdirs(run->dir, 0777)) {
		warning("cannot write '%s/report.html': %s", run->dir,
			n < 0 || (size_t)n >= sizeof(st->path) ? "the path is too long" : strerror(errno));
		free(st);
		return -1;
	}
	st->models = cJSON_CreateArray();
	*state = st;
	return 0;
}

static int html_model(void *state, const cJSON *m)
{
	struct html_state *st = state;
	if (cJSON_IsObject(m))
		cJSON_AddItemToArray(st->models, cJSON_CreateObjectReference(m->child));
	return 0;
}

static int html_end(void *state)
{
	struct html_state *st = state;
	xmlBufferPtr buf = xmlBufferCreate();
	struct html h = { buf ? xmlNewTextWriterMemory(buf, 0) : NULL, 0 };
	int rc = -1;
	if (h.w && write_doc(&h, st) == 0 && xmlTextWriterFlush(h.w) >= 0) {
		xmlFreeTextWriter(h.w);
		h.w = NULL;
		rc = report_file_write(st->path, (const char *)xmlBufferContent(buf),
				       (size_t)xmlBufferLength(buf));
	} else {
		warning("cannot write '%s': the HTML writer failed", st->path);
	}
	if (h.w)
		xmlFreeTextWriter(h.w);
	if (buf)
		xmlBufferFree(buf);
	return rc;
}

static void html_release(void *state)
{
	struct html_state *st = state;
	cJSON_Delete(st->models);
	free(st);
}

const struct report_writer report_writer_html = {
	.name = "html",
	.begin = html_begin,
	.model = html_model,
	.step = NULL,
	.end = html_end,
	.release = html_release,
};

/* ---- a page of another report (report_internal.h: o3 merge) ------------------ */

struct report_html_page {
	struct html h;
	xmlBufferPtr buf;
};

struct report_html_page *report_html_page_begin(const char *title)
{
	struct report_html_page *p = xcalloc(1, sizeof(*p));
	p->buf = xmlBufferCreate();
	p->h.w = p->buf ? xmlNewTextWriterMemory(p->buf, 0) : NULL;
	if (!p->h.w) {
		if (p->buf)
			xmlBufferFree(p->buf);
		free(p);
		return NULL;
	}
	page_head(&p->h, title);
	return p;
}

void report_html_start(struct report_html_page *p, const char *name, const char *cls)
{
	start(&p->h, name);
	if (cls)
		attr(&p->h, "class", cls);
}

void report_html_end(struct report_html_page *p)
{
	end(&p->h);
}

void report_html_newline(struct report_html_page *p)
{
	raw(&p->h, "\n");
}

void report_html_attr(struct report_html_page *p, const char *name, const char *value)
{
	attr(&p->h, name, value);
}

void report_html_text(struct report_html_page *p, const char *s)
{
	text(&p->h, s);
}

void report_html_elem(struct report_html_page *p, const char *name, const char *cls,
		      const char *s)
{
	elem(&p->h, name, cls, s);
}

void report_html_options(struct report_html_page *p, const cJSON *opts)
{
	options_code(&p->h, opts);
}

void report_html_num_cell(struct report_html_page *p, double v, int decimals)
{
	num_cell(&p->h, v, decimals);
}

void report_html_table_head(struct report_html_page *p, const char *cls, const char *const *cols)
{
	table_head(&p->h, cls, cols);
}

void report_html_table_end(struct report_html_page *p)
{
	table_end(&p->h);
}

int report_html_page_end(struct report_html_page *p, const char *path)
{
	int rc = -1;
	page_tail(&p->h, O3_VERSION);
	if (!p->h.bad && xmlTextWriterFlush(p->h.w) >= 0) {
		xmlFreeTextWriter(p->h.w);
		p->h.w = NULL;
		rc = report_file_write(path, (const char *)xmlBufferContent(p->buf),
				       (size_t)xmlBufferLength(p->buf));
	} else {
		warning("cannot write '%s': the HTML writer failed", path);
	}
	if (p->h.w)
		xmlFreeTextWriter(p->h.w);
	xmlBufferFree(p->buf);
	free(p);
	return rc;
}
