// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one print path of pinctl: each field is printed by one call that
 * writes it into a json-c object (for -j) or as "key value" text (as
 * iproute2's rdma does), so the two outputs cannot disagree. json-c does
 * every bit of JSON escaping; text escapes what a terminal would act on.
 * Also: sizes, durations and times, read and written.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pinctl.h"

struct out {
	struct pinctl_cli *cli;
	bool list, stream;
	json_object *top;	/* array (list) or the record (single) */
	json_object *rec;
	bool first_field;
	int err;
};

struct out *out_new(struct pinctl_cli *cli, bool list)
{
	struct out *o = calloc(1, sizeof(*o));

	if (!o) {
		fprintf(stderr, "pinctl: out of memory\n");
		exit(EXIT_ERR);
	}
	o->cli = cli;
	o->list = list;
	if (cli->json && list)
		o->top = json_object_new_array();
	return o;
}

struct out *out_stream(struct pinctl_cli *cli)
{
	struct out *o = out_new(cli, false);

	o->stream = true;
	return o;
}

static int json_flags(const struct out *o)
{
	return JSON_C_TO_STRING_NOSLASHESCAPE |
	       (o->cli->pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
				  JSON_C_TO_STRING_PLAIN);
}

void out_record_begin(struct out *o)
{
	if (o->cli->json)
		o->rec = json_object_new_object();
	o->first_field = true;
}

void out_record_end(struct out *o)
{
	if (!o->cli->json) {
		putchar('\n');
		if (o->stream)
			fflush(stdout);
		return;
	}
	if (o->stream) {
		/* One JSON document per line (JSON Lines), flushed at once. */
		puts(json_object_to_json_string_ext(o->rec, JSON_C_TO_STRING_NOSLASHESCAPE |
						    JSON_C_TO_STRING_PLAIN));
		fflush(stdout);
		json_object_put(o->rec);
	} else if (o->list) {
		json_object_array_add(o->top, o->rec);
	} else {
		json_object_put(o->top);
		o->top = o->rec;
	}
	o->rec = NULL;
}

static void text_key(struct out *o, const char *key)
{
	printf("%s%s ", o->first_field ? "" : " ", key);
	o->first_field = false;
}

void out_u64(struct out *o, const char *key, uint64_t v)
{
	if (o->cli->json) {
		json_object_object_add(o->rec, key, json_object_new_uint64(v));
		return;
	}
	text_key(o, key);
	printf("%" PRIu64, v);
}

void out_int(struct out *o, const char *key, int64_t v)
{
	if (o->cli->json) {
		json_object_object_add(o->rec, key, json_object_new_int64(v));
		return;
	}
	text_key(o, key);
	printf("%" PRId64, v);
}

void out_hex(struct out *o, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	if (o->cli->json) {
		/* Addresses as numbers: JSON readers compare them as such. */
		json_object_object_add(o->rec, key, json_object_new_uint64(v));
		return;
	}
	text_key(o, key);
	fputs(buf, stdout);
}

/* Valid UTF-8 stays; any other byte becomes U+FFFD, so that JSON is UTF-8. */
static char *utf8_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, j = 0;
	char *r = malloc(n * 3 + 1);

	if (!r)
		return NULL;
	while (i < n) {
		unsigned char c = p[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 :
			     (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
		size_t k;
		bool ok = len && i + len <= n;

		for (k = 1; ok && k < len; k++)
			ok = (p[i + k] & 0xc0) == 0x80;
		if (ok && len == 2 && c < 0xc2)
			ok = false;	/* overlong */
		if (ok) {
			memcpy(r + j, p + i, len);
			j += len;
			i += len;
		} else {
			memcpy(r + j, "\xef\xbf\xbd", 3);
			j += 3;
			i++;
		}
	}
	r[j] = '\0';
	return r;
}

void out_str(struct out *o, const char *key, const char *s)
{
	const unsigned char *p;
	char *clean;

	if (o->cli->json) {
		clean = utf8_clean(s);
		json_object_object_add(o->rec, key,
				       json_object_new_string(clean ? clean : ""));
		free(clean);
		return;
	}
	text_key(o, key);
	if (!*s) {
		fputs("\"\"", stdout);
		return;
	}
	/* Nothing a terminal acts on, no space that would split the field. */
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p <= ' ' || *p == '\\' || *p >= 0x7f)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

void out_size(struct out *o, const char *key, uint64_t bytes)
{
	char buf[32];

	if (o->cli->json) {
		json_object_object_add(o->rec, key, json_object_new_uint64(bytes));
		return;
	}
	text_key(o, key);
	fputs(fmt_size(buf, sizeof(buf), bytes), stdout);
}

void out_time(struct out *o, const char *key, uint64_t ns)
{
	char k[64], buf[64];

	if (o->cli->json) {
		snprintf(k, sizeof(k), "%s_ns", key);
		json_object_object_add(o->rec, k, json_object_new_uint64(ns));
		return;
	}
	if (!ns)
		return;
	text_key(o, key);
	fputs(fmt_time(buf, sizeof(buf), ns), stdout);
}

void out_flags(struct out *o, const char *key, uint32_t flags)
{
	static const char *const names[] = { "write", "longterm" };
	json_object *a = NULL;
	bool any = false;
	unsigned int i;

	if (o->cli->json)
		a = json_object_new_array();
	else
		text_key(o, key);
	for (i = 0; i < 32; i++) {
		char other[16];
		const char *name;

		if (!(flags & (1u << i)))
			continue;
		if (i < sizeof(names) / sizeof(names[0])) {
			name = names[i];
		} else {
			snprintf(other, sizeof(other), "0x%x", 1u << i);
			name = other;
		}
		if (a)
			json_object_array_add(a, json_object_new_string(name));
		else
			printf("%s%s", any ? "," : "", name);
		any = true;
	}
	if (a)
		json_object_object_add(o->rec, key, a);
	else if (!any)
		putchar('-');
}

void out_discard(struct out *o)
{
	json_object_put(o->top);
	free(o);
}

int out_finish(struct out *o)
{
	if (o->cli->json && o->top)
		puts(json_object_to_json_string_ext(o->top, json_flags(o)));
	else if (o->cli->json && o->list)
		puts("[]");
	json_object_put(o->top);
	if (fflush(stdout) || ferror(stdout)) {
		free(o);
		return fail("writing the output: %s", strerror(errno));
	}
	free(o);
	return EXIT_OK;
}

/* ---- Errors ----------------------------------------------------------- */

int usage_error(void (*usage)(FILE *f), const char *fmt, ...)
{
	va_list ap;

	fputs("pinctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return EXIT_USAGE;
}

int fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("pinctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

static void ignore_signal(int sig)
{
	(void)sig;
}

void catch_signals(const sigset_t *set)
{
	struct sigaction sa = { .sa_handler = ignore_signal };
	int sig;

	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sigismember(set, sig) == 1)
			sigaction(sig, &sa, NULL);
}

bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

bool global_opt(struct pinctl_cli *cli, const char *arg)
{
	if (!strcmp(arg, "-j") || !strcmp(arg, "--json")) {
		cli->json = true;
		return true;
	}
	if (!strcmp(arg, "-p") || !strcmp(arg, "--pretty")) {
		cli->pretty = true;
		return true;
	}
	if (!strcmp(arg, "-jp") || !strcmp(arg, "-pj")) {
		cli->json = cli->pretty = true;
		return true;
	}
	return false;
}

int no_args(struct pinctl_cli *cli, int argc, char **argv,
	    void (*usage)(FILE *f))
{
	int i;

	for (i = 0; i < argc; i++) {
		if (global_opt(cli, argv[i]))
			continue;
		if (is_help(argv[i])) {
			usage(stdout);
			return EXIT_OK;
		}
		return usage_error(usage, "unknown argument \"%s\"", argv[i]);
	}
	return ARGS_GO_ON;
}

int cmd_dispatch(struct pinctl_cli *cli, const char *object,
		 const struct cmd *cmds, int argc, char **argv,
		 void (*usage)(FILE *f))
{
	const struct cmd *c;

	while (argc > 0 && global_opt(cli, argv[0])) {
		argc--;
		argv++;
	}
	if (argc == 0)
		return cmds[0].fn(cli, 0, argv);
	if (is_help(argv[0])) {
		usage(stdout);
		return EXIT_OK;
	}
	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, argv[0]))
			return c->fn(cli, argc - 1, argv + 1);
	return usage_error(usage, "unknown command \"%s\" of \"%s\"", argv[0],
			   object);
}

/* ---- Numbers ----------------------------------------------------------- */

int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

int parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (parse_u64(s, &x) || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/* "4096", "64K", "64M", "1G", "1.5G", "2MiB", "1T": binary units. */
int parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGTPE";
	long double v;
	uint64_t mult = 1;
	const char *u;
	char *end;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtold(s, &end);
	if (errno || end == s)
		return -EINVAL;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		mult = 1ULL << (10 * (u - units + 1));
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B") || !strcmp(end, "ib") ||
		    !strcmp(end, "b"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
	}
	v *= (long double)mult;
	if (v > (long double)UINT64_MAX || v != (long double)(uint64_t)v)
		return -EINVAL;
	*bytes = (uint64_t)v;
	return 0;
}

/* "30" (seconds), "500ms", "10s", "5m", "2h", "1d", "100us", "10ns". */
int parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *u; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000ULL }, { "m", 60000000000ULL },
		{ "h", 3600000000000ULL }, { "d", 86400000000000ULL },
	};
	long double v;
	char *end;
	size_t i;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtold(s, &end);
	if (errno || end == s)
		return -EINVAL;
	if (!*end) {
		v *= 1e9L;
	} else {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcmp(end, units[i].u))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		v *= (long double)units[i].ns;
	}
	if (v > (long double)UINT64_MAX)
		return -EINVAL;
	*ns = (uint64_t)v;
	return 0;
}

/* The inverse of parse_size(): exact when it can be, one decimal else. */
const char *fmt_size(char *buf, size_t size, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	unsigned int u = 0;
	uint64_t scale = 1024;

	if (bytes < 1024) {
		snprintf(buf, size, "%" PRIu64, bytes);
		return buf;
	}
	while (u + 1 < sizeof(units) - 1 && bytes / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	if (bytes % scale == 0)
		snprintf(buf, size, "%" PRIu64 "%c", bytes / scale, units[u]);
	else
		snprintf(buf, size, "%.1f%c", (double)bytes / (double)scale, units[u]);
	return buf;
}

const char *fmt_time(char *buf, size_t size, uint64_t ns)
{
	time_t t = (time_t)((uint64_t)(ns / 1000000000ULL));
	struct tm tm;
	char s[40];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03uZ", s,
		 (unsigned int)(ns % 1000000000ULL / 1000000));
	return buf;
}

const char *fmt_duration(char *buf, size_t size, uint64_t ns)
{
	if (ns % 1000000000ULL == 0)
		snprintf(buf, size, "%" PRIu64 "s", (uint64_t)(ns / 1000000000ULL));
	else if (ns % 1000000ULL == 0)
		snprintf(buf, size, "%" PRIu64 "ms", (uint64_t)(ns / 1000000ULL));
	else
		snprintf(buf, size, "%" PRIu64 "ns", ns);
	return buf;
}
