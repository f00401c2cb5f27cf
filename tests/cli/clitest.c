// SPDX-License-Identifier: GPL-2.0-only
/* Running pinctl from the tests; see clitest.h. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "clitest.h"

static void collect_args(const char **argv, size_t max, const char *first, va_list ap)
{
	size_t n = 0;
	const char *a;

	argv[n++] = "pinctl";
	for (a = first; a && n < max - 1; a = va_arg(ap, const char *))
		argv[n++] = a;
	argv[n] = NULL;
}

static pid_t spawn(const char **argv, int *out, int *err)
{
	char path[4200];
	int po[2], pe[2];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/pinctl", lt_bindir());
	ASSERT_EQ(pipe2(po, O_CLOEXEC), 0);
	ASSERT_EQ(pipe2(pe, O_CLOEXEC), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	*out = po[0];
	*err = pe[0];
	return pid;
}

static int status_of(pid_t pid)
{
	int st;

	ASSERT_EQ(waitpid(pid, &st, 0), pid);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Read both pipes to their ends. */
static void drain(int out, int err, char *obuf, size_t osize, char *ebuf,
		  size_t esize)
{
	struct pollfd p[2] = { { .fd = out, .events = POLLIN },
			       { .fd = err, .events = POLLIN } };
	size_t olen = strlen(obuf), elen = strlen(ebuf);
	int open_fds = 2;

	while (open_fds) {
		int i;

		ASSERT_GE(poll(p, 2, 30000), 1);
		for (i = 0; i < 2; i++) {
			char *b = i ? ebuf : obuf;
			size_t *len = i ? &elen : &olen, size = i ? esize : osize;
			char tmp[4096];
			ssize_t n;

			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			n = read(p[i].fd, tmp, sizeof(tmp));
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
				continue;
			}
			if (*len + (size_t)n >= size)
				n = (ssize_t)(size - 1 - *len);
			memcpy(b + *len, tmp, (size_t)n);
			*len += (size_t)n;
			b[*len] = '\0';
		}
	}
}

void run_pinctl(struct run *r, const char *arg, ...)
{
	const char *argv[64];
	va_list ap;
	int out, err;
	pid_t pid;

	va_start(ap, arg);
	collect_args(argv, 64, arg, ap);
	va_end(ap);
	r->out[0] = r->err[0] = '\0';
	pid = spawn(argv, &out, &err);
	drain(out, err, r->out, sizeof(r->out), r->err, sizeof(r->err));
	r->status = status_of(pid);
	/* The first line of stderr only: a diagnostic is one line of TAP. */
	pm_diag("pinctl %s%s%s%s: exit %d%s%.*s", argv[1] ? argv[1] : "",
		argv[1] && argv[2] ? " " : "", argv[1] && argv[2] ? argv[2] : "",
		argv[1] && argv[2] && argv[3] ? " ..." : "", r->status,
		r->err[0] ? ", stderr: " : "", (int)strcspn(r->err, "\n"), r->err);
}

void bg_start(struct bg *b, const char *arg, ...)
{
	const char *argv[64];
	va_list ap;

	va_start(ap, arg);
	collect_args(argv, 64, arg, ap);
	va_end(ap);
	b->pid = spawn(argv, &b->out, &b->err);
}

static int read_line(int fd, char *line, size_t size, int ms)
{
	size_t len = 0;

	while (len < size - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char c;

		if (poll(&p, 1, ms) != 1)
			return -1;
		if (read(fd, &c, 1) != 1)
			return -1;
		if (c == '\n')
			break;
		line[len++] = c;
	}
	line[len] = '\0';
	return 0;
}

void bg_line(struct bg *b, char *line, size_t size, int ms)
{
	if (read_line(b->out, line, size, ms))
		FAIL("pinctl (pid %d) printed no line in %d ms", b->pid, ms);
}

void bg_wait_err(struct bg *b, const char *what, int ms)
{
	char line[512];

	for (;;) {
		if (read_line(b->err, line, sizeof(line), ms))
			FAIL("pinctl (pid %d) printed no \"%s\" to stderr", b->pid, what);
		if (strstr(line, what))
			return;
	}
}

int bg_end(struct bg *b, char *rest, size_t size)
{
	char err[4096] = "";

	rest[0] = '\0';
	drain(b->out, b->err, rest, size, err, sizeof(err));
	if (err[0])
		pm_diag("stderr: %.*s", (int)strcspn(err, "\n"), err);
	return status_of(b->pid);
}

json_object *json_parse(const char *s)
{
	enum json_tokener_error e;
	json_object *o = json_tokener_parse_verbose(s, &e);

	if (!o)
		FAIL("not JSON (%s): %s", json_tokener_error_desc(e), s);
	return o;
}

json_object *jget(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		FAIL("no \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

uint64_t ju64(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	if (!json_object_is_type(v, json_type_int))
		FAIL("\"%s\" is not a number in %s", key, json_object_to_json_string(o));
	return json_object_get_uint64(v);
}

const char *jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	if (!json_object_is_type(v, json_type_string))
		FAIL("\"%s\" is not a string in %s", key, json_object_to_json_string(o));
	return json_object_get_string(v);
}

void assert_keys(json_object *o, const char *const *keys, size_t n)
{
	size_t i = 0;

	json_object_object_foreach(o, key, val) {
		(void)val;
		if (i >= n)
			FAIL("extra key \"%s\"", key);
		if (strcmp(key, keys[i]))
			FAIL("key %zu is \"%s\", not \"%s\"", i, key, keys[i]);
		i++;
	}
	ASSERT_EQ(i, n);
}
