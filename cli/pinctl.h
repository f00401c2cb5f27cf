/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pinctl: shared declarations of the command's files. Every object (lease,
 * stats, monitor, limits, module, pin) has a file; output goes through one
 * print path (print.c) that serves text and JSON from the same calls.
 */
#ifndef PINCTL_CLI_H
#define PINCTL_CLI_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "libpinctl.h"

/* Exit codes. */
#define EXIT_OK		0
#define EXIT_ERR	1
#define EXIT_USAGE	2

struct pinctl_cli {
	bool json;
	bool pretty;
	struct pinctl_ctx *ctx;
	const char *argv0;
};

/* A command of an object: name, handler and one line of help. */
struct cmd {
	const char *name;
	int (*fn)(struct pinctl_cli *cli, int argc, char **argv);
};

/* Runs the command named by argv[0] of @cmds; the first entry is the default. */
int cmd_dispatch(struct pinctl_cli *cli, const char *object,
		 const struct cmd *cmds, int argc, char **argv,
		 void (*usage)(FILE *f));

/* Usage errors: message to stderr, then usage, exit code 2. */
int usage_error(void (*usage)(FILE *f), const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Errors: "pinctl: " and the message to stderr; returns EXIT_ERR. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A library call that failed, in pinctl_strerror()'s words. */
int fail_op(struct pinctl_dev *dev, int err, const struct pinctl_err_opts *eo,
	    const char *what);
bool is_help(const char *arg);
/*
 * The signals of @set interrupt ppoll() (EINTR) instead of ending the
 * process: they get a handler that does nothing.
 */
void catch_signals(const sigset_t *set);
/* -j / -p / --json / --pretty anywhere in a command's arguments. */
bool global_opt(struct pinctl_cli *cli, const char *arg);
/*
 * For a command that takes no argument of its own: global options pass,
 * help prints @usage. ARGS_GO_ON if the command should run, else the exit
 * status to return (EXIT_OK after help, EXIT_USAGE for anything else).
 */
#define ARGS_GO_ON (-1)
int no_args(struct pinctl_cli *cli, int argc, char **argv,
	    void (*usage)(FILE *f));

/* Parsing: 0 or -EINVAL. */
int parse_size(const char *s, uint64_t *bytes);
int parse_duration(const char *s, uint64_t *ns);
int parse_u64(const char *s, uint64_t *v);
int parse_u32(const char *s, uint32_t *v);

/* Formatting, into @buf. */
const char *fmt_size(char *buf, size_t size, uint64_t bytes);
const char *fmt_time(char *buf, size_t size, uint64_t realtime_ns);
const char *fmt_duration(char *buf, size_t size, uint64_t ns);

/* ---- The print path: one call per field serves text and JSON --------- */

struct out;

/* A listing (JSON array) or one record (JSON object). */
struct out *out_new(struct pinctl_cli *cli, bool list);
void out_record_begin(struct out *o);
void out_record_end(struct out *o);
void out_u64(struct out *o, const char *key, uint64_t v);
void out_int(struct out *o, const char *key, int64_t v);
void out_hex(struct out *o, const char *key, uint64_t v);
void out_str(struct out *o, const char *key, const char *s);
/* Bytes: an integer in JSON, "64M" in text. */
void out_size(struct out *o, const char *key, uint64_t bytes);
/* CLOCK_REALTIME ns: key_ns integer in JSON, a UTC time in text; 0 is left
 * out of the text. */
void out_time(struct out *o, const char *key, uint64_t ns);
void out_flags(struct out *o, const char *key, uint32_t flags);
/* Prints what is left and frees; returns EXIT_OK or EXIT_ERR. */
int out_finish(struct out *o);
/* Frees without printing (after an error). */
void out_discard(struct out *o);
/* Streams: each record printed as it ends (monitor, pin). */
struct out *out_stream(struct pinctl_cli *cli);

void print_lease(struct out *o, const struct pinctl_lease *l);

/* Objects. */
int do_lease(struct pinctl_cli *cli, int argc, char **argv);
int do_stats(struct pinctl_cli *cli, int argc, char **argv);
int do_monitor(struct pinctl_cli *cli, int argc, char **argv);
int do_limits(struct pinctl_cli *cli, int argc, char **argv);
int do_module(struct pinctl_cli *cli, int argc, char **argv);
int do_pin(struct pinctl_cli *cli, int argc, char **argv);

#endif /* PINCTL_CLI_H */
