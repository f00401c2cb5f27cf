// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one output path of pinctl. A command hands over records of typed
 * fields (key, kind, value); this file alone decides how each format shows
 * them:
 *
 *   text  for people: a record is an aligned block, a listing aligned
 *         columns, a stream one line per record; sizes in KiB/MiB/GiB,
 *         durations in s/ms, times in UTC
 *   -o    one line of key=value per record, raw numbers (logfmt quoting)
 *   -j    JSON, raw numbers; json-c does the escaping
 *   -P    the Prometheus text format, from the fields that carry a metric
 *
 * Names from outside (a lease's comm) are sanitised first: invalid UTF-8
 * and control characters never reach a terminal or a JSON reader.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "pinctl.h"

struct field {
	const char *key;
	enum out_kind kind;
	uint64_t v;
	char *s;
	const struct metric *m;
	const char *group;
};

struct rec {
	struct field *f;
	size_t n, cap;
};

struct out {
	struct pinctl_cli *cli;
	enum out_shape shape;
	struct rec cur;
	const char *group;
	struct rec *recs;	/* text listings: kept for the column widths */
	size_t nr_recs;
	json_object *top;
	uint64_t now_ns;	/* CLOCK_REALTIME, for "5s ago" */
};

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p) {
		fputs("pinctl: out of memory\n", stderr);
		exit(EXIT_ERR);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

/* ---- UTF-8 ------------------------------------------------------------ */

/* Bytes of the valid sequence at @p (1 to 4), or 0. */
static size_t utf8_seq(const unsigned char *p, uint32_t *cp)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0;	/* overlong below U+0800 */
		else if (c == 0xed)
			hi = 0x9f;	/* surrogates U+D800..U+DFFF */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90;	/* overlong below U+10000 */
		else if (c == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else {
		return 0;	/* continuation, 0xc0, 0xc1 (overlong), 0xf5.. */
	}
	for (i = 1; i < len; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;	/* also a truncated sequence: NUL < 0x80 */
		v = v << 6 | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return len;
}

char *utf8_sanitise(const char *s, const char *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t blen = strlen(bad), j = 0;
	char *r = malloc(strlen(s) * (blen > 4 ? blen : 4) + 1);

	if (!r)
		return NULL;
	while (*p) {
		uint32_t cp;
		size_t len = utf8_seq(p, &cp);

		if (len && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0)) {
			memcpy(r + j, p, len);
			j += len;
			p += len;
			continue;
		}
		/* One mark per byte of a bad sequence, one per control. */
		memcpy(r + j, bad, blen);
		j += blen;
		p += len ? len : 1;
	}
	r[j] = '\0';
	return r;
}

/* ---- Values in words -------------------------------------------------- */

const char *fmt_bytes(char *buf, size_t size, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned int u = 0;
	uint64_t scale = 1024;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRIu64 " B", bytes);
		return buf;
	}
	while (u + 1 < ARRAY_SIZE(units) && bytes / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	if (bytes % scale == 0)
		snprintf(buf, size, "%" PRIu64 " %s", bytes / scale, units[u]);
	else
		snprintf(buf, size, "%.1f %s", (double)bytes / (double)scale, units[u]);
	return buf;
}

static const char *fmt_ms(char *buf, size_t size, uint64_t ms)
{
	if (ms < 1000)
		snprintf(buf, size, "%" PRIu64 " ms", ms);
	else if (ms % 1000 == 0)
		snprintf(buf, size, "%" PRIu64 " s", ms / 1000);
	else if (ms % 100 == 0)
		snprintf(buf, size, "%" PRIu64 ".%" PRIu64 " s", ms / 1000,
			 ms % 1000 / 100);
	else
		snprintf(buf, size, "%" PRIu64 ".%03" PRIu64 " s", ms / 1000,
			 ms % 1000);
	return buf;
}

static const char *fmt_time(char *buf, size_t size, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	char s[40];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03u UTC", s,
		 (unsigned int)(ns % 1000000000ULL / 1000000));
	return buf;
}

/* "12s ago", "in 9s", "3m ago": a column's worth. */
static const char *fmt_reltime(char *buf, size_t size, uint64_t ns, uint64_t now)
{
	uint64_t d = ns > now ? ns - now : now - ns, s = d / 1000000000ULL;
	char v[24];

	if (s < 120)
		snprintf(v, sizeof(v), "%" PRIu64 "s", s);
	else if (s < 7200)
		snprintf(v, sizeof(v), "%" PRIu64 "m", s / 60);
	else if (s < 172800)
		snprintf(v, sizeof(v), "%" PRIu64 "h", s / 3600);
	else
		snprintf(v, sizeof(v), "%" PRIu64 "d", s / 86400);
	snprintf(buf, size, ns > now ? "in %s" : "%s ago", v);
	return buf;
}

static const char *fmt_flags(char *buf, size_t size, uint32_t flags)
{
	/* The bits of enum pinctl_pin_flags, named as in the netlink spec. */
	static const char *const names[] = { "write", "longterm", "watch",
					     "release-on-stale", "watch-only" };
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < 32 && len < size; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (i < ARRAY_SIZE(names))
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? "," : "", names[i]);
		else
			len += (size_t)snprintf(buf + len, size - len, "%s0x%x",
						len ? "," : "", 1u << i);
	}
	return buf;
}

enum text_place { IN_BLOCK, IN_COLUMN, IN_LINE };

/* Figures line up on the right, as in free(1); names on the left. */
static bool right_aligned(enum out_kind k)
{
	return k != K_TEXT && k != K_FLAGS && k != K_STATE && k != K_REASON &&
	       k != K_TIME && k != K_ADDR;
}

/* A value for people; a malloc()ed string. */
static char *text_value(const struct out *o, const struct field *f,
			enum text_place where)
{
	char buf[128];

	switch (f->kind) {
	case K_ID:
	case K_PID:
	case K_UID:
	case K_COUNT:
		snprintf(buf, sizeof(buf), "%" PRIu64, f->v);
		break;
	case K_ADDR:
		snprintf(buf, sizeof(buf), "0x%" PRIx64, f->v);
		break;
	case K_BYTES:
		fmt_bytes(buf, sizeof(buf), f->v);
		break;
	case K_PAGES:
		fmt_bytes(buf, sizeof(buf), f->v * o->cli->page_size);
		break;
	case K_MS:
		fmt_ms(buf, sizeof(buf), f->v);
		break;
	case K_TIME:
		if (!f->v)
			strcpy(buf, "-");
		else if (where == IN_COLUMN)
			fmt_reltime(buf, sizeof(buf), f->v, o->now_ns);
		else
			fmt_time(buf, sizeof(buf), f->v);
		break;
	case K_FLAGS:
		fmt_flags(buf, sizeof(buf), (uint32_t)f->v);
		if (!buf[0])
			strcpy(buf, "-");
		break;
	case K_TEXT:
		if (!f->s[0])
			return xstrdup("-");
		return utf8_sanitise(f->s, "?");
	case K_REASON:
		return xstrdup(f->v ? f->s : "-");
	case K_STATE:
	case K_WORD:
		return xstrdup(f->s);
	}
	return xstrdup(buf);
}

/* The key for people: the unit leaves the name where the value shows it. */
/* Whether @key ends in @suffix (and has more before it). */
static bool ends_in(const char *key, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && !strcmp(key + len - n, suffix);
}

/*
 * A key for people: the unit its value now shows in says what the suffix
 * said ("pinned 12 MiB", not "pinned_pages 12 MiB").
 */
static void text_key(char *buf, size_t size, const struct field *f, bool upper)
{
	size_t len = strlen(f->key), i;

	if ((f->kind == K_TIME && ends_in(f->key, len, "_ns")) ||
	    (f->kind == K_MS && ends_in(f->key, len, "_ms")))
		len -= 3;
	else if (f->kind == K_PAGES && ends_in(f->key, len, "_pages"))
		len -= 6;
	else if (f->kind == K_BYTES && ends_in(f->key, len, "_bytes"))
		len -= 6;
	snprintf(buf, size, "%.*s", (int)len, f->key);
	for (i = 0; upper && buf[i]; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (char)(buf[i] - 'a' + 'A');
}

static size_t utf8_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void pad(size_t n)
{
	while (n--)
		putchar(' ');
}

/* Whether field @i is the first of its group in @r. */
static bool group_starts(const struct rec *r, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (r->f[k].group == r->f[i].group)
			return false;
	return true;
}

/*
 * One record as a block: "key   value", keys and values aligned. A group
 * is printed whole under its heading where its first field stands, so a
 * field appended to a list later still shows with its own kind.
 */
static void text_block(struct out *o, const struct rec *r)
{
	size_t kw = 0, vw = 0, i, j;
	const char *group = NULL;
	char key[64], **vals = xrealloc(NULL, (r->n + 1) * sizeof(*vals));

	for (i = 0; i < r->n; i++) {
		text_key(key, sizeof(key), &r->f[i], false);
		vals[i] = text_value(o, &r->f[i], IN_BLOCK);
		if (strlen(key) > kw)
			kw = strlen(key);
		if (right_aligned(r->f[i].kind) && utf8_width(vals[i]) > vw)
			vw = utf8_width(vals[i]);
	}
	for (i = 0; i < r->n; i++) {
		if (!group_starts(r, i))
			continue;
		if (r->f[i].group && r->f[i].group != group)
			printf("%s%s:\n", group ? "\n" : "", r->f[i].group);
		group = r->f[i].group;
		for (j = i; j < r->n; j++) {
			const struct field *f = &r->f[j];
			size_t w = utf8_width(vals[j]);

			if (f->group != group)
				continue;
			text_key(key, sizeof(key), f, false);
			printf("%s%s", f->group ? "  " : "", key);
			pad(kw - strlen(key) + 2);
			if (right_aligned(f->kind) && w < vw)
				pad(vw - w);
			printf("%s\n", vals[j]);
		}
	}
	for (i = 0; i < r->n; i++)
		free(vals[i]);
	free(vals);
}

/* A stream's record: one line of "key value" pairs. */
static void text_line(struct out *o, const struct rec *r)
{
	char key[64];
	size_t i;
	bool first = true;

	for (i = 0; i < r->n; i++) {
		char *v;

		if (r->f[i].kind == K_TIME && !r->f[i].v)
			continue;
		v = text_value(o, &r->f[i], IN_LINE);
		text_key(key, sizeof(key), &r->f[i], false);
		printf("%s%s %s", first ? "" : "  ", key, v);
		first = false;
		free(v);
	}
	putchar('\n');
}

/*
 * A listing as columns under a header, as ss(8) and lsof(8) print them:
 * numbers right-aligned; a time column nobody has a time in is left out.
 */
static void text_columns(struct out *o)
{
	size_t nf = o->nr_recs ? o->recs[0].n : 0, i, c;
	size_t *width = xrealloc(NULL, (nf + 1) * sizeof(*width));
	bool *show = xrealloc(NULL, (nf + 1) * sizeof(*show));
	char ***vals = xrealloc(NULL, (o->nr_recs + 1) * sizeof(*vals));
	char key[64];
	size_t last = 0;
	bool first;

	for (c = 0; c < nf; c++) {
		text_key(key, sizeof(key), &o->recs[0].f[c], true);
		width[c] = strlen(key);
		show[c] = o->recs[0].f[c].kind != K_TIME;
	}
	for (i = 0; i < o->nr_recs; i++) {
		vals[i] = xrealloc(NULL, (nf + 1) * sizeof(**vals));
		for (c = 0; c < nf; c++) {
			const struct field *f = &o->recs[i].f[c];

			vals[i][c] = text_value(o, f, IN_COLUMN);
			if (utf8_width(vals[i][c]) > width[c])
				width[c] = utf8_width(vals[i][c]);
			if (f->kind == K_TIME && f->v)
				show[c] = true;
		}
	}
	for (c = 0; c < nf; c++)
		if (show[c])
			last = c;
	for (i = 0; i <= o->nr_recs && nf; i++) {
		first = true;
		for (c = 0; c < nf; c++) {
			const struct field *f = &o->recs[0].f[c];
			const char *v = key;
			size_t w;

			if (!show[c])
				continue;
			if (i == 0)
				text_key(key, sizeof(key), f, true);
			else
				v = vals[i - 1][c];
			w = utf8_width(v);
			if (!first)
				pad(2);
			if (right_aligned(f->kind))
				printf("%*s%s", (int)(width[c] - w), "", v);
			else if (c != last)
				printf("%s%*s", v, (int)(width[c] - w), "");
			else
				fputs(v, stdout);
			first = false;
		}
		putchar('\n');
	}
	for (i = 0; i < o->nr_recs; i++) {
		for (c = 0; c < nf; c++)
			free(vals[i][c]);
		free(vals[i]);
	}
	free(vals);
	free(width);
	free(show);
}

/* ---- -o: key=value ---------------------------------------------------- */

static void oneline_value(const struct field *f)
{
	char buf[128], *s, *p;

	switch (f->kind) {
	case K_ADDR:
		printf("0x%" PRIx64, f->v);
		return;
	case K_FLAGS:
		fputs(fmt_flags(buf, sizeof(buf), (uint32_t)f->v), stdout);
		return;
	case K_TEXT:
	case K_STATE:
	case K_REASON:
	case K_WORD:
		s = utf8_sanitise(f->s, "?");
		if (!s)
			return;
		if (*s && !strpbrk(s, " \"=\\")) {
			fputs(s, stdout);
		} else {
			putchar('"');
			for (p = s; *p; p++) {
				if (*p == '"' || *p == '\\')
					putchar('\\');
				putchar(*p);
			}
			putchar('"');
		}
		free(s);
		return;
	default:
		printf("%" PRIu64, f->v);
	}
}

static void oneline(const struct rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		printf("%s%s=", i ? " " : "", r->f[i].key);
		oneline_value(&r->f[i]);
	}
	putchar('\n');
}

/* ---- -j --------------------------------------------------------------- */

static json_object *json_value(const struct field *f)
{
	json_object *a;
	char buf[128], *s, *tok, *save = NULL;

	switch (f->kind) {
	case K_TEXT:
		/* U+FFFD: JSON is UTF-8, and readers choke on anything else. */
		s = utf8_sanitise(f->s, "\xef\xbf\xbd");
		a = json_object_new_string(s ? s : "");
		free(s);
		return a;
	case K_STATE:
	case K_REASON:
	case K_WORD:
		return json_object_new_string(f->s);
	case K_FLAGS:
		a = json_object_new_array();
		fmt_flags(buf, sizeof(buf), (uint32_t)f->v);
		for (tok = strtok_r(buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			json_object_array_add(a, json_object_new_string(tok));
		return a;
	default:
		return json_object_new_uint64(f->v);
	}
}

static json_object *json_record(const struct rec *r)
{
	json_object *obj = json_object_new_object();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_object_object_add(obj, r->f[i].key, json_value(&r->f[i]));
	return obj;
}

static int json_flags(const struct out *o)
{
	if (o->cli->pretty && o->shape != OUT_STREAM)
		return JSON_C_TO_STRING_NOSLASHESCAPE | JSON_C_TO_STRING_PRETTY |
		       JSON_C_TO_STRING_SPACED;
	return JSON_C_TO_STRING_NOSLASHESCAPE | JSON_C_TO_STRING_PLAIN;
}

/* ---- -P --------------------------------------------------------------- */

static void prom_value(const struct out *o, const struct field *f)
{
	if (f->kind == K_PAGES)
		printf("%" PRIu64 "\n", f->v * o->cli->page_size);
	else if (f->kind == K_MS)
		printf("%" PRIu64 ".%03" PRIu64 "\n", f->v / 1000, f->v % 1000);
	else
		printf("%" PRIu64 "\n", f->v);
}

/* A label's value, escaped as the text format wants: \\, \" and \n. */
static void prom_label_value(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

/* Is field @i of @r a sample of the metric @name? */
static bool same_metric(const struct rec *r, size_t i, const char *name)
{
	return r->f[i].m && !strcmp(r->f[i].m->name, name);
}

/*
 * Each metric's HELP and TYPE once, then all of its samples together, in
 * the order of each metric's first field: a cause added at the end of the
 * table still joins its metric's group. A metric with a "cause" label
 * gathers the sentences of its causes as its HELP.
 */
static void prometheus(const struct out *o, const struct rec *r)
{
	size_t i, j, k;

	for (i = 0; i < r->n; i++) {
		const struct metric *m = r->f[i].m;

		if (!m)
			continue;
		for (k = 0; k < i && !same_metric(r, k, m->name); k++)
			;
		if (k < i)
			continue;	/* printed with its first field */
		printf("# HELP %s ", m->name);
		if (!m->label[0] || m->label_key) {
			fputs(m->help, stdout);
		} else {
			fputs("By cause.", stdout);
			for (j = i; j < r->n; j++)
				if (same_metric(r, j, m->name))
					printf(" %s: %s", r->f[j].m->label,
					       r->f[j].m->help);
		}
		printf("\n# TYPE %s %s\n", m->name, m->counter ? "counter" : "gauge");
		for (j = i; j < r->n; j++) {
			if (!same_metric(r, j, m->name))
				continue;
			if (m->label_key) {
				/* The format wants UTF-8 (a cgroup's name need not be). */
				char *clean = utf8_sanitise(r->f[j].s,
							    "\xef\xbf\xbd");

				printf("%s{%s=\"", m->name, m->label_key);
				prom_label_value(clean ? clean : "");
				fputs("\"} ", stdout);
				free(clean);
			} else if (m->label[0])
				printf("%s{cause=\"%s\"} ", m->name,
				       r->f[j].m->label);
			else
				printf("%s ", m->name);
			prom_value(o, &r->f[j]);
		}
	}
}

/* ---- Records ---------------------------------------------------------- */

struct out *out_new(struct pinctl_cli *cli, enum out_shape shape)
{
	struct out *o = xrealloc(NULL, sizeof(*o));
	struct timespec ts;

	memset(o, 0, sizeof(*o));
	o->cli = cli;
	o->shape = shape;
	if (cli->format == FMT_JSON && shape == OUT_LIST)
		o->top = json_object_new_array();
	clock_gettime(CLOCK_REALTIME, &ts);
	o->now_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	return o;
}

void out_record_begin(struct out *o)
{
	o->cur.n = 0;
	o->group = NULL;
}

void out_group(struct out *o, const char *heading)
{
	o->group = heading;
}

static void add(struct out *o, const char *key, enum out_kind kind, uint64_t v,
		const char *s, const struct metric *m)
{
	struct field *f;

	if (o->cur.n == o->cur.cap) {
		o->cur.cap = o->cur.cap ? 2 * o->cur.cap : 32;
		o->cur.f = xrealloc(o->cur.f, o->cur.cap * sizeof(*o->cur.f));
	}
	f = &o->cur.f[o->cur.n++];
	f->key = key;
	f->kind = kind;
	f->v = v;
	f->s = s ? xstrdup(s) : NULL;
	f->m = m;
	f->group = o->group;
}

void out_num(struct out *o, const char *key, enum out_kind kind, uint64_t v)
{
	add(o, key, kind, v, NULL, NULL);
}

void out_str(struct out *o, const char *key, enum out_kind kind, const char *s)
{
	add(o, key, kind, 0, s ? s : "", NULL);
}

void out_enum(struct out *o, const char *key, enum out_kind kind, uint64_t v,
	      const char *name)
{
	add(o, key, kind, v, name ? name : "", NULL);
}

void out_metric(struct out *o, const char *key, enum out_kind kind, uint64_t v,
		const struct metric *m)
{
	add(o, key, kind, v, NULL, m);
}

void out_metric_labelled(struct out *o, const char *key, enum out_kind kind,
			 uint64_t v, const struct metric *m, const char *label)
{
	add(o, key, kind, v, label ? label : "", m);
}

static void rec_free(struct rec *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->f[i].s);
	free(r->f);
	r->f = NULL;
	r->n = 0;
	r->cap = 0;
}

void out_record_end(struct out *o)
{
	json_object *obj;
	size_t i;

	switch (o->cli->format) {
	case FMT_JSON:
		obj = json_record(&o->cur);
		if (o->shape == OUT_STREAM) {
			/* JSON Lines: one document per line. */
			puts(json_object_to_json_string_ext(obj, json_flags(o)));
			json_object_put(obj);
		} else if (o->shape == OUT_LIST) {
			json_object_array_add(o->top, obj);
		} else {
			json_object_put(o->top);
			o->top = obj;
		}
		break;
	case FMT_ONELINE:
		oneline(&o->cur);
		break;
	case FMT_PROMETHEUS:
		prometheus(o, &o->cur);
		break;
	case FMT_TEXT:
		if (o->shape == OUT_LIST) {
			o->recs = xrealloc(o->recs, (o->nr_recs + 1) * sizeof(*o->recs));
			o->recs[o->nr_recs++] = o->cur;
			memset(&o->cur, 0, sizeof(o->cur));
			return;
		}
		if (o->shape == OUT_STREAM)
			text_line(o, &o->cur);
		else
			text_block(o, &o->cur);
		break;
	}
	for (i = 0; i < o->cur.n; i++) {
		free(o->cur.f[i].s);
		o->cur.f[i].s = NULL;
	}
	o->cur.n = 0;
	if (o->shape == OUT_STREAM)
		fflush(stdout);
}

void out_discard(struct out *o)
{
	size_t i;

	json_object_put(o->top);
	for (i = 0; i < o->nr_recs; i++)
		rec_free(&o->recs[i]);
	free(o->recs);
	rec_free(&o->cur);
	free(o);
}

int out_finish(struct out *o)
{
	if (o->top)
		puts(json_object_to_json_string_ext(o->top, json_flags(o)));
	if (o->cli->format == FMT_TEXT && o->shape == OUT_LIST)
		text_columns(o);
	out_discard(o);
	if (fflush(stdout) || ferror(stdout))
		return fail("writing the output: %s", strerror(errno));
	return EXIT_OK;
}

/* ---- Errors ----------------------------------------------------------- */

void vcomplain(const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("pinctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
	return EXIT_ERR;
}

int fail_op(struct pinctl_dev *dev, int err, const struct pinctl_err_opts *eo,
	    const char *what)
{
	char msg[512];

	pinctl_strerror(dev, err, eo, msg, sizeof(msg));
	if (what)
		return fail("%s: %s", what, msg);
	return fail("%s", msg);
}
