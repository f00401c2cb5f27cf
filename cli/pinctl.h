/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pinctl: shared declarations of the command's files.
 *
 *   pinctl.c    the global options and the table of objects
 *   grammar.c   words: prefix matching, command tables, keyword tables
 *   numbers.c   strict parsing of ids, sizes and durations
 *   output.c    the one output path: text, one line, JSON, Prometheus
 *   signals.c   signals that interrupt ppoll() instead of killing
 *   lease.c stats.c limits.c monitor.c module.c pin.c budget.c census.c
 *               the objects
 */
#ifndef PINCTL_CLI_H
#define PINCTL_CLI_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "libpinctl.h"
#include "pinmgr_tables.h"

/* Exit codes. */
#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_USAGE	2

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum out_format {
	FMT_TEXT,		/* for people: aligned blocks and columns */
	FMT_ONELINE,		/* -o: key=value, one line per record */
	FMT_JSON,		/* -j */
	FMT_PROMETHEUS,		/* -P: the text exposition format 0.0.4 */
};

struct pinctl_cli {
	enum out_format format;
	bool pretty;
	uint64_t page_size;
	struct pinctl_ctx *ctx;
};

/* ---- grammar.c: objects, commands, keywords -------------------------- */

/*
 * A command of an object. The entry with a NULL name ends the table and
 * is what runs without a command (NULL fn: the object needs a command);
 * "help" is every object's command and needs no entry.
 */
struct cmd {
	const char *name;
	int (*fn)(struct pinctl_cli *cli, int argc, char **argv);
	bool prometheus;	/* prints in the -P format */
};

struct object {
	const char *name;
	const struct cmd *cmds;
	void (*usage)(FILE *f);
	/* Words that name no command go to the default command (pin SIZE). */
	bool default_takes_args;
};

extern const struct object lease_object, stats_object, monitor_object,
	limits_object, module_object, pin_object, budget_object, census_object,
	top_object;

/*
 * The index of @word in a table of @n entries of @size bytes that each
 * start with their name: an exact match, else the one name @word starts.
 * -1 if none; -2 if ambiguous, after a usage error naming the candidates.
 */
int match_word(const char *word, const void *table, size_t size, size_t n,
	       const char *what, void (*usage)(FILE *f));
#define MATCH(word, table, n, what, usage) \
	match_word((word), (table), sizeof(*(table)), (n), (what), (usage))

/* Runs the command @argv[0] of @obj; the exit status. */
int object_run(struct pinctl_cli *cli, const struct object *obj, int argc,
	       char **argv);

enum arg_type {
	ARG_FLAG,	/* bool, no value */
	ARG_ID,		/* uint64_t, decimal */
	ARG_COOKIE,	/* uint64_t, decimal or 0x hex */
	ARG_U32,	/* uint32_t, decimal (pid, uid) */
	ARG_SIZE,	/* uint64_t bytes, K M G T */
	ARG_DURATION,	/* uint64_t ns, finite, with a unit */
	ARG_STRING,	/* const char * */
	ARG_CHOICE,	/* unsigned int, the index in @choices */
	ARG_ASSIGN,	/* struct assign_list: NAME=VALUE words */
};

#define ASSIGN_MAX	16
struct assign_list {
	const char *v[ASSIGN_MAX];
	unsigned int n;
};

/*
 * One keyword of a command: "name value", or a flag. A NULL name is a
 * value given without a keyword (pin SIZE, lease show HANDLE); ARG_ASSIGN
 * takes every word that holds a '='.
 */
struct kw {
	const char *name;
	enum arg_type type;
	size_t off;
	const char *const *choices;	/* ARG_CHOICE: NULL-terminated */
	bool nonzero;
	const char *what;		/* the value in messages: "pid" */
};

#define KW(n, t, s, m, ...)	{ .name = (n), .type = (t), \
				  .off = offsetof(s, m), __VA_ARGS__ }

/*
 * Reads @argv by @kws into @args. Bit i of *@seen says @kws[i] was given.
 * ARGS_GO_ON to run the command; otherwise the exit status (EXIT_OK after
 * "help", EXIT_USAGE after a usage error).
 */
#define ARGS_GO_ON (-1)
int parse_args(const struct kw *kws, size_t n, int argc, char **argv,
	       void *args, uint32_t *seen, void (*usage)(FILE *f));

/* Usage errors: message to stderr, then usage, exit code 2. */
int usage_error(void (*usage)(FILE *f), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- numbers.c: 0 or -EINVAL, nothing stored on error ---------------- */

int parse_id(const char *s, uint64_t *v);
int parse_cookie(const char *s, uint64_t *v);
int parse_u32(const char *s, uint32_t *v);
int parse_size(const char *s, uint64_t *bytes);
int parse_duration(const char *s, uint64_t *ns);

/* ---- signals.c -------------------------------------------------------- */

/*
 * Blocks @sigs and gives them a handler that does nothing, so that they
 * interrupt ppoll(..., @wait_mask) (EINTR) instead of ending the process.
 */
void hold_signals(const int *sigs, size_t n, sigset_t *wait_mask);

/* ---- output.c: the one output path ------------------------------------ */

/* How a value reads; the first eleven are the kinds of pinmgr_tables.h. */
enum out_kind {
	K_ID, K_PID, K_UID, K_TEXT, K_ADDR, K_BYTES, K_COUNT, K_FLAGS,
	K_STATE, K_REASON, K_TIME,
	K_PAGES,	/* pages: bytes for people, pages for programs */
	K_MS,		/* milliseconds: seconds for people */
	K_WORD,		/* a word of pinctl's own: "yes", "unlimited" */
};

/* A Prometheus metric a field feeds (stats). */
struct metric {
	const char *name;
	const char *label;	/* value of "cause", or "" */
	const char *help;
	bool counter;
	/* A label whose value each sample brings (out_metric_labelled()). */
	const char *label_key;
};

enum out_shape {
	OUT_RECORD,	/* one record: a block, one line, a JSON object */
	OUT_LIST,	/* columns, lines, a JSON array */
	OUT_STREAM,	/* each record printed as it ends, JSON Lines */
};

struct out;

struct out *out_new(struct pinctl_cli *cli, enum out_shape shape);
void out_record_begin(struct out *o);
/* A heading for the fields that follow (text blocks only). */
void out_group(struct out *o, const char *heading);
void out_num(struct out *o, const char *key, enum out_kind kind, uint64_t v);
/* K_TEXT (a name from outside: sanitised) or K_WORD / K_STATE. */
void out_str(struct out *o, const char *key, enum out_kind kind, const char *s);
/*
 * An enum's value and its name (K_REASON): programs read the name, people
 * the name or, for 0, "-".
 */
void out_enum(struct out *o, const char *key, enum out_kind kind, uint64_t v,
	      const char *name);
void out_metric(struct out *o, const char *key, enum out_kind kind, uint64_t v,
		const struct metric *m);
/* A sample of @m whose label @m->label_key has the value @label. */
void out_metric_labelled(struct out *o, const char *key, enum out_kind kind,
			 uint64_t v, const struct metric *m, const char *label);
void out_record_end(struct out *o);
/* Prints what is left and frees; EXIT_OK or EXIT_ERR. */
int out_finish(struct out *o);
void out_discard(struct out *o);

/* "64 MiB", for messages. */
const char *fmt_bytes(char *buf, size_t size, uint64_t bytes);
/*
 * @s as valid UTF-8 without control characters: each byte of an invalid
 * sequence and each control character becomes @bad (a UTF-8 string).
 * Returns a malloc()ed string, or NULL.
 */
char *utf8_sanitise(const char *s, const char *bad);

/* Errors: "pinctl: " and the message to stderr; return EXIT_ERR. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "pinctl: " and the message to stderr, after what stdout holds. */
void vcomplain(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int fail_op(struct pinctl_dev *dev, int err, const struct pinctl_err_opts *eo,
	    const char *what);

/* ---- Objects ------------------------------------------------------------ */

/* The fields of struct pinctl_lease, as pinmgr_tables.h lists them. */
enum lease_field {
#define LF_ENUM(name, ATTR, type, kind, query) LF_##name,
	PINMGR_LEASE_FIELDS(LF_ENUM)
#undef LF_ENUM
	LF_COUNT
};

#define LF_ALL	((1ULL << LF_COUNT) - 1)

/* The fields of @l in @mask, in table order. */
void out_lease(struct out *o, const struct pinctl_lease *l, uint64_t mask);

#endif /* PINCTL_CLI_H */
