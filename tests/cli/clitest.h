/* SPDX-License-Identifier: GPL-2.0-only */
/* Running pinctl from the tests: its output, errors and exit status. */
#ifndef PINMGR_TESTS_CLITEST_H
#define PINMGR_TESTS_CLITEST_H

#include <json-c/json.h>

#include "libtest.h"

struct run {
	int status;		/* exit status, or 128 + signal */
	char out[65536];
	char err[8192];
};

/* Run pinctl with the NULL-terminated arguments; waits. */
void run_pinctl(struct run *r, const char *arg, ...) __attribute__((sentinel));
#define PINCTL(r, ...)	run_pinctl((r), __VA_ARGS__, (const char *)NULL)

/* A pinctl left running: its pid and its stdout and stderr pipes. */
struct bg {
	pid_t pid;
	int out, err;
};
void bg_start(struct bg *b, const char *arg, ...) __attribute__((sentinel));
#define BG(b, ...)	bg_start((b), __VA_ARGS__, (const char *)NULL)
/* One line of its stdout (without the newline), waiting up to @ms. */
void bg_line(struct bg *b, char *line, size_t size, int ms);
/* Wait until its stderr has a line containing @what. */
void bg_wait_err(struct bg *b, const char *what, int ms);
/* Wait for its end; its exit status; the rest of its stdout in @rest. */
int bg_end(struct bg *b, char *rest, size_t size);

/* Parse JSON (asserts) and look up members. */
json_object *json_parse(const char *s);
json_object *jget(json_object *o, const char *key);
uint64_t ju64(json_object *o, const char *key);
/* @o has exactly the keys @keys, in that order. */
void assert_keys(json_object *o, const char *const *keys, size_t n);
const char *jstr(json_object *o, const char *key);

#endif
