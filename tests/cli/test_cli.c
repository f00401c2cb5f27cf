// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl against the real driver: the grammar (prefixes, ambiguity, help
 * per object, the old dashed spellings refused), strict numbers, UTF-8
 * sanitising of names, the three outputs (aligned text for people, -o one
 * line, -j JSON whose keys come from pinmgr_tables.h) and -P Prometheus,
 * and every object's commands; exit codes 0, 1 and 2.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <regex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "clitest.h"
#include "pinmgr_tables.h"

#define MIB	(1024ULL * 1024)

/* The keys every lease record has in -j and -o: the table's names. */
static const char *const lease_keys[] = {
#define LEASE_KEY(name, ATTR, type, kind, query) #name,
	PINMGR_LEASE_FIELDS(LEASE_KEY)
#undef LEASE_KEY
};

static const char *const stats_keys[] = {
#define STATS_KEY(name, ATTR, source, unit, dir, file, prom, label, help) #name,
	PINMGR_STATS(STATS_KEY)
#undef STATS_KEY
};

/* The line of @text that starts with @start (a static copy), or FAIL. */
static const char *line_of(const char *text, const char *start)
{
	static char line[1024];
	const char *p = text;

	while (p && *p) {
		size_t len = strcspn(p, "\n");

		if (!strncmp(p, start, strlen(start))) {
			snprintf(line, sizeof(line), "%.*s", (int)len, p);
			return line;
		}
		p = p[len] ? p + len + 1 : NULL;
	}
	FAIL("no line starting \"%s\" in:\n%s", start, text);
	return NULL;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Valid UTF-8 by RFC 3629: no overlong form, surrogate, or > U+10FFFF. */
static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		unsigned int c = *s, n, cp, i;

		if (c < 0x80) {
			s++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

static void assert_usage_error(const struct run *r)
{
	ASSERT_EQ(r->status, 2);
	ASSERT_EQ(strncmp(r->err, "pinctl: ", 8), 0);
	ASSERT_CONTAINS(r->err, "usage: pinctl");
	ASSERT_EQ(r->out[0], '\0');
}

TEST(cli_help_everywhere)
{
	static const struct { const char *args[4]; const char *usage; } cases[] = {
		{ { "-h" }, "usage: pinctl [ OPTIONS ]" },
		{ { "--help" }, "usage: pinctl [ OPTIONS ]" },
		{ { "help" }, "usage: pinctl [ OPTIONS ]" },
		{ { "lease", "help" }, "usage: pinctl lease" },
		{ { "le", "he" }, "usage: pinctl lease" },
		{ { "-h", "lease" }, "usage: pinctl lease" },
		{ { "lease", "list", "help" }, "usage: pinctl lease" },
		{ { "lease", "show", "help" }, "usage: pinctl lease" },
		{ { "lease", "revoke", "help" }, "usage: pinctl lease" },
		{ { "stats", "help" }, "usage: pinctl [ -j | -o | -P ] stats" },
		{ { "monitor", "help" }, "usage: pinctl monitor" },
		{ { "limits", "help" }, "usage: pinctl limits" },
		{ { "module", "help" }, "usage: pinctl module" },
		{ { "module", "load", "help" }, "usage: pinctl module" },
		{ { "pin", "help" }, "usage: pinctl pin" },
		{ { "pin", "4M", "write", "help" }, "usage: pinctl pin" },
	};
	struct run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		PINCTL(&r, cases[i].args[0], cases[i].args[1], cases[i].args[2],
		       cases[i].args[3]);
		ASSERT_EQ(r.status, 0);
		ASSERT_EQ(strncmp(r.out, cases[i].usage, strlen(cases[i].usage)), 0);
		ASSERT_EQ(r.err[0], '\0');
	}
	/* Each object's help is its own, not the whole command's. */
	PINCTL(&r, "lease", "help");
	ASSERT_EQ(strstr(r.out, "pinctl pin"), NULL);
	ASSERT_CONTAINS(r.out, "pinctl lease revoke HANDLE [ now ]");
	PINCTL(&r, "pin", "help");
	ASSERT_EQ(strstr(r.out, "pinctl lease"), NULL);
	ASSERT_CONTAINS(r.out, "onbreak");
	ASSERT_CONTAINS(r.out, "[ watch ] [ release-on-stale ] [ watch-only ]");
	PINCTL(&r, "lease", "help");
	ASSERT_CONTAINS(r.out, "[ state STATE ]");
	ASSERT_CONTAINS(r.out, "stale | invalidated");
}

TEST(cli_usage_errors)
{
	static const char *const cmds[][6] = {
		{ NULL }, { "bogus" }, { "-x", "lease" }, { "lease", "bogus" },
		{ "lease", "list", "pid" }, { "lease", "list", "pid", "abc" },
		{ "lease", "list", "colour", "red" }, { "lease", "show" },
		{ "lease", "show", "0" }, { "lease", "show", "5", "now" },
		{ "lease", "revoke", "x" }, { "lease", "list", "pid", "1", "pid", "2" },
		{ "pin" }, { "pin", "12Q" }, { "pin", "3000" }, { "pin", "-5M" },
		{ "pin", "64M", "for", "soon" }, { "pin", "4M", "backing", "tape" },
		{ "pin", "4M", "backing", "anon", "file", "/x" },
		{ "pin", "4M", "offset", "4K" }, { "pin", "4M", "backing", "file" },
		{ "pin", "4M", "write", "write" }, { "pin", "4M", "for" },
		{ "monitor", "count", "0" }, { "monitor", "for" },
		{ "stats", "extra" }, { "limits", "more" },
		{ "module", "frob" }, { "module", "load", "path" },
		{ "module", "show", "x" },
		/* Two formats at once; Prometheus is the statistics' format. */
		{ "-j", "-o", "stats" }, { "-o", "-P", "stats" }, { "-P", "lease" },
		{ "-P", "limits" },
		/* The old spellings are gone, not aliases. */
		{ "stats", "--prometheus" }, { "pin", "4M", "--write" },
		{ "pin", "4M", "--anon" }, { "pin", "4M", "--for", "1s" },
		{ "lease", "--help" }, { "lease", "list", "-j" },
		{ "module", "load", "--path", "/x" }, { "module", "status" },
		{ "monitor", "--count", "1" }, { "lease", "default" },
		/* Watched leases and the state filter: keywords as any other. */
		{ "pin", "4M", "--watch" }, { "pin", "4M", "watch", "watch" },
		{ "pin", "4M", "--release-on-stale" }, { "pin", "4M", "watch-only", "x" },
		{ "lease", "list", "state" }, { "lease", "list", "state", "gone" },
		{ "lease", "list", "state", "stale", "state", "active" },
	};
	struct run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		PINCTL(&r, cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3], cmds[i][4],
		       cmds[i][5]);
		assert_usage_error(&r);
	}
}

/* Any prefix that names one entry; an ambiguous one names the candidates. */
TEST(cli_prefixes)
{
	static const struct { const char *args[5]; const char *msg; } ambiguous[] = {
		{ { "l" }, "object \"l\" is ambiguous: lease, limits" },
		{ { "mo" }, "object \"mo\" is ambiguous: monitor, module" },
		{ { "lease", "list", "c", "1" }, "keyword \"c\" is ambiguous: comm, cookie" },
		{ { "pin", "4M", "f", "x" }, "keyword \"f\" is ambiguous: file, for" },
		{ { "pin", "4M", "w" }, "keyword \"w\" is ambiguous: write, watch, watch-only" },
		{ { "lease", "list", "state", "in" }, NULL },
		{ { "module", "s" }, NULL },
	};
	json_object *o, *p;
	struct run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ambiguous); i++) {
		PINCTL(&r, ambiguous[i].args[0], ambiguous[i].args[1],
		       ambiguous[i].args[2], ambiguous[i].args[3]);
		if (!ambiguous[i].msg) {
			/*
			 * "s" is only "show" among module's commands, "in"
			 * only "invalidated" among the states.
			 */
			ASSERT_EQ(r.status, 0);
			continue;
		}
		assert_usage_error(&r);
		ASSERT_CONTAINS(r.err, ambiguous[i].msg);
	}

	/* Shortened and whole spellings say the same. */
	PINCTL(&r, "-j", "limits", "show");
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	PINCTL(&r, "--js", "li", "sh");
	ASSERT_EQ(r.status, 0);
	p = json_parse(r.out);
	ASSERT_EQ(ju64(p, "max_leases"), ju64(o, "max_leases"));
	ASSERT_EQ(ju64(p, "page_size"), ju64(o, "page_size"));
	json_object_put(o);
	json_object_put(p);
	PINCTL(&r, "-j", "mod", "sh");
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	ASSERT_EQ(strcmp(jstr(o, "state"), "live"), 0);
	json_object_put(o);
}

/* Ids, sizes and durations: digits only, decimal, in range, finite. */
TEST(cli_strict_numbers)
{
	static const char *const ids[] = {
		" -1", "-1", "+1", " 1", "1 ", "010", "00", "nan", "1e3", "0x",
		"12x", "", "18446744073709551616", "99999999999999999999999",
	};
	static const char *const pids[] = { "0x10", "4294967296", "010", "-0" };
	static const char *const sizes[] = {
		" 4M", "4M ", "04M", "-4M", "+4M", "nan", "inf", "1e3", "4Q", "4MM",
		"4.5M", "16777216T", "18446744073709551616", "0x1000",
	};
	static const char *const durations[] = {
		"nan", "inf", "-1s", "+1s", "1e3", "1e3s", "1.5s", "010s", " 1s",
		"1s ", "10 s", "1w", "213504d", "18446744073709551616ns", "0",
	};
	struct run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		PINCTL(&r, "lease", "show", ids[i]);
		assert_usage_error(&r);
		ASSERT_CONTAINS(r.err, "bad lease handle");
		PINCTL(&r, "lease", "list", "cookie", ids[i]);
		assert_usage_error(&r);
		PINCTL(&r, "monitor", "count", ids[i]);
		assert_usage_error(&r);
	}
	for (i = 0; i < ARRAY_SIZE(pids); i++) {
		PINCTL(&r, "lease", "list", "pid", pids[i]);
		assert_usage_error(&r);
		ASSERT_CONTAINS(r.err, "bad pid");
	}
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		PINCTL(&r, "pin", sizes[i]);
		assert_usage_error(&r);
		ASSERT_CONTAINS(r.err, "bad size");
	}
	for (i = 0; i < ARRAY_SIZE(durations); i++) {
		PINCTL(&r, "monitor", "for", durations[i]);
		assert_usage_error(&r);
		ASSERT_CONTAINS(r.err, "duration");
	}
	/* What is allowed: 0 alone, hex cookies, the largest values. */
	PINCTL(&r, "-j", "lease", "list", "cookie", "0x10", "uid", "4294967295");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);
	PINCTL(&r, "-j", "lease", "list", "cookie", "18446744073709551615", "pid", "0");
	ASSERT_EQ(r.status, 0);
	PINCTL(&r, "lease", "show", "18446744073709551615");
	ASSERT_EQ(r.status, 1);
	PINCTL(&r, "monitor", "for", "100ms");
	ASSERT_EQ(r.status, pm_feature(PINCTL_FEATURE_NL_MONITOR) ? 0 : 1);
}

static uint64_t pin_named(struct pinctl_dev *dev, const char *name, void *buf,
			  uint64_t cookie)
{
	PINCTL_OPTS(pinctl_pin_opts, po, .cookie = cookie);
	uint64_t h;

	ASSERT_EQ(prctl(PR_SET_NAME, name), 0);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, &po, &h), 0);
	return h;
}

/*
 * A comm holds any bytes. JSON gets valid UTF-8 with U+FFFD for each bad
 * byte and each control character; text and -o get '?'.
 */
TEST(cli_utf8_names)
{
	/* ok, overlong '/', a surrogate, ^A, > U+10FFFF, z, a truncated euro. */
	static const char bad[] = "ok\xc0\xaf\xed\xa0\x80\x01\xf4\x90\x80\x80z\xe2\x82";
	static const char fffd[] = "\xef\xbf\xbd";
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	char want[256], arg[32];
	json_object *a;
	struct run r;
	unsigned int i;

	NEED_NETLINK();
	ASSERT_EQ(sizeof(bad) - 1, 15);	/* TASK_COMM_LEN - 1: all of it kept */
	pin_named(dev, bad, pm_map_anon(MIB), 1);
	pin_named(dev, "a\"b\\c\n/\xc3\xa9", pm_map_anon(MIB), 2);
	pin_named(dev, "has space", pm_map_anon(MIB), 3);
	snprintf(arg, sizeof(arg), "%d", getpid());

	PINCTL(&r, "-j", "lease", "list", "pid", arg, "cookie", "1");
	ASSERT_EQ(r.status, 0);
	ASSERT_TRUE(valid_utf8((const unsigned char *)r.out));
	a = json_parse(r.out);
	strcpy(want, "ok");
	for (i = 0; i < 10; i++)	/* 2 + 3 + 1 + 4 bad bytes */
		strcat(want, fffd);
	strcat(want, "z");
	strcat(want, fffd);
	strcat(want, fffd);
	ASSERT_EQ(strcmp(jstr(json_object_array_get_idx(a, 0), "comm"), want), 0);
	json_object_put(a);

	/* json-c escapes quotes and backslashes; é stays; \n is replaced. */
	PINCTL(&r, "-j", "lease", "list", "pid", arg, "cookie", "2");
	ASSERT_CONTAINS(r.out, "\"comm\":\"a\\\"b\\\\c\xef\xbf\xbd/\xc3\xa9\"");

	PINCTL(&r, "lease", "list", "pid", arg, "cookie", "1");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, " ok??????????z?? ");
	ASSERT_TRUE(valid_utf8((const unsigned char *)r.out));
	PINCTL(&r, "-o", "lease", "list", "pid", arg, "cookie", "1");
	ASSERT_CONTAINS(r.out, " comm=ok??????????z?? ");
	PINCTL(&r, "-o", "lease", "list", "pid", arg, "cookie", "2");
	ASSERT_CONTAINS(r.out, " comm=\"a\\\"b\\\\c?/\xc3\xa9\" ");
	PINCTL(&r, "-o", "lease", "list", "pid", arg, "cookie", "3");
	ASSERT_CONTAINS(r.out, " comm=\"has space\" ");
	ASSERT_EQ(count_lines(r.out), 1);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(cli_limits)
{
	static const char *const lines[] = {
		"  max_lease ", "  max_leases ", "  device_leases ", "  vmpin ",
		"  page_size ", "  max_events ",
	};
	struct pinmgr_info k;
	unsigned long long v;
	int fd = pm_open();
	json_object *o;
	struct run r;
	unsigned int i;
	size_t len;

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &k), 0);
	close(fd);
	PINCTL(&r, "-j", "limits");
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	ASSERT_EQ(ju64(o, "page_size"), pm_page_size());
	ASSERT_EQ(pm_param_read("max_leases", &v), 0);
	ASSERT_EQ(ju64(o, "max_leases"), v);
	ASSERT_EQ(pm_param_read("max_lease_pages", &v), 0);
	ASSERT_EQ(ju64(o, "max_lease_pages"), v);
	ASSERT_EQ(ju64(o, "max_lease"), v * pm_page_size());
	ASSERT_EQ(ju64(o, "vmpin"), 0);
	ASSERT_EQ(ju64(o, "abi_version"), PINMGR_ABI_VERSION);
	ASSERT_EQ(strcmp(jstr(o, "cap_ipc_lock"), "yes"), 0);
	if (k.memlock_limit_pages == ~0ULL)
		ASSERT_EQ(strcmp(jstr(o, "memlock_limit"), "unlimited"), 0);
	else
		ASSERT_EQ(ju64(o, "memlock_limit"), k.memlock_limit_pages * pm_page_size());
	json_object_put(o);

	/* For people: two blocks, figures with units, right-aligned. */
	PINCTL(&r, "limits");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strncmp(r.out, "This process:\n", 14), 0);
	ASSERT_CONTAINS(r.out, "\nDevice:\n");
	ASSERT_TRUE(strlen(line_of(r.out, "  max_lease ")) > 12);
	ASSERT_EQ(strcmp(line_of(r.out, "  max_lease ") +
			 strlen(line_of(r.out, "  max_lease ")) - 6, " 4 GiB"), 0);
	ASSERT_EQ(strcmp(line_of(r.out, "  page_size ") +
			 strlen(line_of(r.out, "  page_size ")) - 6, " 4 KiB"), 0);
	ASSERT_CONTAINS(line_of(r.out, "  vmpin "), " 0 B");
	len = strlen(line_of(r.out, lines[0]));
	for (i = 1; i < ARRAY_SIZE(lines); i++)
		ASSERT_EQ(strlen(line_of(r.out, lines[i])), len);

	/* -o: one line, raw numbers. */
	PINCTL(&r, "-o", "limits");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(count_lines(r.out), 1);
	ASSERT_CONTAINS(r.out, " vmpin=0 ");
	ASSERT_CONTAINS(r.out, " page_size=4096 ");
}

/* The issue's own example: a pin over RLIMIT_MEMLOCK, in words. */
TEST(cli_pin_over_memlock)
{
	struct rlimit rl = { 8 * MIB, 8 * MIB };
	struct run r;

	/* As root: 5.10's default hard limit is 64 KiB. */
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	ASSERT_EQ(pm_become_nobody(), 0);
	PINCTL(&r, "pin", "64M");
	ASSERT_EQ(r.status, 1);
	ASSERT_EQ(strcmp(r.err, "pinctl: pinning 64 MiB would take the memory this "
			 "user has locked (in all of its processes) to 64 MiB, over "
			 "RLIMIT_MEMLOCK of 8 MiB; raise `ulimit -l` or grant "
			 "CAP_IPC_LOCK\n"), 0);
	PINCTL(&r, "pin", "64M", "file", "/nonexistent");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "/nonexistent: No such file or directory");
	/* Not root: no module loading, no monitor. */
	PINCTL(&r, "module", "unload");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "CAP_SYS_MODULE");
}

static json_object *find_lease(json_object *a, uint64_t h)
{
	size_t i;

	for (i = 0; i < json_object_array_length(a); i++)
		if (ju64(json_object_array_get_idx(a, i), "handle") == h)
			return json_object_array_get_idx(a, i);
	FAIL("no lease %llu in %s", (unsigned long long)h, json_object_to_json_string(a));
	return NULL;
}

/* Pin in the background; list, filter, show and revoke it. */
TEST(cli_pin_list_show_revoke)
{
	char line[4096], rest[4096], arg[32], harg[32];
	json_object *o, *a, *l, *pinned;
	const char *hdr, *row;
	uint64_t h;
	struct run r;
	struct bg b;

	NEED_NETLINK();
	ASSERT_EQ(pm_param_write("break_time_ms", 60000), 0);
	BG(&b, "-j", "pin", "4M", "write", "cookie", "0x1092");
	bg_line(&b, line, sizeof(line), 20000);
	pinned = json_parse(line);
	ASSERT_EQ(strcmp(jstr(pinned, "event"), "pinned"), 0);
	ASSERT_EQ(strcmp(jstr(pinned, "backing"), "anon"), 0);
	h = ju64(pinned, "handle");
	ASSERT_EQ(ju64(pinned, "length"), 4 * MIB);
	ASSERT_EQ(ju64(pinned, "nr_pages"), 4 * MIB / pm_page_size());
	ASSERT_EQ(ju64(pinned, "tgid"), (uint64_t)b.pid);
	ASSERT_EQ(ju64(pinned, "cookie"), 0x1092);

	/* -j: the table's keys, in its order; the values the pin reported. */
	PINCTL(&r, "-j", "lease", "list");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	ASSERT_TRUE(json_object_is_type(a, json_type_array));
	l = find_lease(a, h);
	assert_keys(l, lease_keys, ARRAY_SIZE(lease_keys));
	ASSERT_EQ(ju64(l, "tgid"), (uint64_t)b.pid);
	ASSERT_EQ(ju64(l, "uid"), 0);
	ASSERT_EQ(strcmp(jstr(l, "comm"), "pinctl"), 0);
	ASSERT_EQ(ju64(l, "length"), 4 * MIB);
	ASSERT_EQ(ju64(l, "cookie"), 4242);
	ASSERT_EQ(strcmp(jstr(l, "state"), "active"), 0);
	ASSERT_EQ(strcmp(json_object_to_json_string(jget(l, "flags")), "[ \"write\" ]"), 0);
	ASSERT_GT(ju64(l, "create_time_ns"), 0);
	ASSERT_EQ(ju64(l, "expire_time_ns"), 0);
	/* What pinctl printed without asking again is what the driver holds. */
	ASSERT_EQ(ju64(pinned, "addr"), ju64(l, "addr"));
	ASSERT_EQ(ju64(pinned, "nr_runs"), ju64(l, "nr_runs"));
	ASSERT_EQ(ju64(pinned, "nr_pages"), ju64(l, "nr_pages"));
	ASSERT_EQ(strcmp(json_object_to_json_string(jget(pinned, "flags")),
			 json_object_to_json_string(jget(l, "flags"))), 0);
	json_object_put(a);
	json_object_put(pinned);

	/* Filters. */
	snprintf(arg, sizeof(arg), "%d", b.pid);
	snprintf(harg, sizeof(harg), "%llu", (unsigned long long)h);
	PINCTL(&r, "-j", "lease", "list", "pid", arg);
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	json_object_put(a);
	PINCTL(&r, "-j", "lease", "list", "pid", "1");
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);
	PINCTL(&r, "-j", "lease", "list", "uid", "4242");
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);
	PINCTL(&r, "-j", "lease", "pid", "1");	/* list is no default for words */
	ASSERT_EQ(r.status, 2);
	PINCTL(&r, "-j", "lease", "l", "u", "0", "comm", "pinctl", "pi", arg);
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	json_object_put(a);
	PINCTL(&r, "-j", "lease", "list", "comm", "pinct");
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);
	PINCTL(&r, "-j", "lease", "list", "cookie", "4242");
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	json_object_put(a);

	/* Text: columns under a header, numbers right-aligned, human units. */
	PINCTL(&r, "lease", "list", "pid", arg);
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(count_lines(r.out), 2);
	hdr = line_of(r.out, "");	/* the header */
	ASSERT_CONTAINS(hdr, "HANDLE ");
	ASSERT_CONTAINS(hdr, " TGID ");
	ASSERT_CONTAINS(hdr, " COMM ");
	ASSERT_CONTAINS(hdr, " CREATE_TIME");
	ASSERT_EQ(strstr(hdr, "EXPIRE_TIME"), NULL);	/* nobody's: left out */
	ASSERT_EQ(strstr(hdr, "_NS"), NULL);
	row = strchr(r.out, '\n') + 1;
	/* The handle ends under the end of "HANDLE". */
	ASSERT_EQ(strspn(row, " ") + strlen(harg),
		  (size_t)(strstr(hdr, "HANDLE") - hdr) + strlen("HANDLE"));
	ASSERT_EQ(strncmp(row + strspn(row, " "), harg, strlen(harg)), 0);
	ASSERT_CONTAINS(row, "  pinctl ");
	ASSERT_CONTAINS(row, "  4 MiB  ");
	ASSERT_CONTAINS(row, "  write ");
	ASSERT_CONTAINS(row, "  active ");
	ASSERT_CONTAINS(row, " ago");

	/* -o: one line, key=value, raw numbers. */
	PINCTL(&r, "-o", "lease", "list", "pid", arg);
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(count_lines(r.out), 1);
	snprintf(line, sizeof(line), "handle=%s file_id=", harg);
	ASSERT_EQ(strncmp(r.out, line, strlen(line)), 0);
	snprintf(line, sizeof(line), " tgid=%s uid=0 comm=pinctl addr=0x", arg);
	ASSERT_CONTAINS(r.out, line);
	ASSERT_CONTAINS(r.out, " length=4194304 nr_pages=1024 ");
	ASSERT_CONTAINS(r.out, " flags=write state=active cookie=4242 ");
	ASSERT_CONTAINS(r.out, " expire_time_ns=0 ");

	/* show: a block of every field; pretty JSON. */
	PINCTL(&r, "lease", "show", harg);
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(count_lines(r.out), ARRAY_SIZE(lease_keys));
	ASSERT_EQ(strcmp(line_of(r.out, "length ") +
			 strlen(line_of(r.out, "length ")) - 6, " 4 MiB"), 0);
	ASSERT_EQ(strlen(line_of(r.out, "handle ")), strlen(line_of(r.out, "nr_pages ")));
	ASSERT_CONTAINS(line_of(r.out, "create_time "), " UTC");
	ASSERT_CONTAINS(line_of(r.out, "expire_time "), " -");
	PINCTL(&r, "-j", "-p", "lease", "show", harg);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\n  \"handle\": ");
	o = json_parse(r.out);
	assert_keys(o, lease_keys, ARRAY_SIZE(lease_keys));
	ASSERT_EQ(ju64(o, "handle"), h);
	ASSERT_GT(ju64(o, "file_id"), 0);
	json_object_put(o);

	/* revoke: the pin gives in at once and ends. */
	PINCTL(&r, "-j", "lease", "revoke", harg);
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	ASSERT_EQ(strcmp(jstr(o, "revoked"), "break"), 0);
	ASSERT_GT(ju64(o, "deadline_ns"), pm_realtime_ns() + 50000 * PM_MS);
	json_object_put(o);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	ASSERT_CONTAINS(rest, "\"event\":\"breaking\"");
	ASSERT_CONTAINS(rest, "\"event\":\"unpinned\"");

	PINCTL(&r, "lease", "show", harg);
	ASSERT_EQ(r.status, 1);
	snprintf(line, sizeof(line), "pinctl: no visible lease %s on the device", harg);
	ASSERT_EQ(strncmp(r.err, line, strlen(line)), 0);
	PINCTL(&r, "lease", "rev", harg, "now");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "on the device, or its owner has closed its file");
}

/* for: the driver ends the lease; pinctl reports it and exits 0. */
TEST(cli_pin_for_expires)
{
	char rest[4096], line[4096];
	uint64_t before = pm_realtime_ns();
	json_object *o;
	struct bg b;

	BG(&b, "-j", "pin", "1024K", "for", "300ms", "longterm");
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(ju64(o, "length"), MIB);
	ASSERT_GT(ju64(o, "expire_time_ns"), before + 300 * PM_MS);
	ASSERT_LT(ju64(o, "expire_time_ns"), pm_realtime_ns() + 300 * PM_MS);
	ASSERT_EQ(strcmp(json_object_to_json_string(jget(o, "flags")), "[ \"longterm\" ]"), 0);
	json_object_put(o);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	ASSERT_CONTAINS(rest, "\"event\":\"expired\"");
}

TEST(cli_pin_signal_text)
{
	/* Kernels without THP (Debian's PREEMPT_RT) refuse the backing. */
	int thp = !access("/sys/kernel/mm/transparent_hugepage", F_OK);
	const char *backing = thp ? "thp" : "anon";
	char line[4096], rest[4096], want[64];
	struct run r;
	struct bg b;

	if (!thp) {
		PINCTL(&r, "pin", "4M", "back", "thp");
		ASSERT_EQ(r.status, 1);
		ASSERT_CONTAINS(r.err, "transparent huge pages");
	}
	BG(&b, "pin", "4M", "back", backing);
	bg_line(&b, line, sizeof(line), 20000);
	snprintf(want, sizeof(want), "event pinned  backing %s  handle ", backing);
	ASSERT_EQ(strncmp(line, want, strlen(want)), 0);
	ASSERT_CONTAINS(line, "  length 4 MiB  nr_pages 1024  ");
	ASSERT_EQ(kill(b.pid, SIGTERM), 0);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	ASSERT_EQ(strncmp(rest, "event unpinned  handle ", 23), 0);
}

TEST(cli_pin_buffers)
{
	char path[] = "/tmp/cli-pin-XXXXXX";
	struct run r;
	int fd;

	PINCTL(&r, "-j", "pin", "1M", "backing", "memfd", "write", "for", "100ms");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"backing\":\"memfd\"");
	ASSERT_CONTAINS(r.out, "\"flags\":[\"write\"]");

	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, 3 * 4096 + 100), 0);
	close(fd);
	PINCTL(&r, "-j", "pin", "file", path, "offset", "4K", "for", "100ms");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"backing\":\"file\"");
	ASSERT_CONTAINS(r.out, "\"length\":12288");
	unlink(path);

	fd = open("/proc/sys/vm/nr_hugepages", O_WRONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "2", 1), 1);
	close(fd);
	PINCTL(&r, "-j", "pin", "2M", "backing", "hugetlb", "for", "100ms");
	if (r.status == 1 && strstr(r.err, "hugetlb pages"))
		SKIP("no hugetlb pages could be reserved: %s", r.err);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"backing\":\"hugetlb\"");
	PINCTL(&r, "pin", "3M", "backing", "hugetlb");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "not a multiple of 2M");
}

/*
 * Prometheus: each metric's HELP and TYPE before its samples, counters
 * named _total, pages as bytes, milliseconds as seconds.
 */
static void check_prometheus(const char *text, uint64_t pinned_bytes,
			     unsigned long long break_ms)
{
	regex_t sample, help, type;
	char *copy = strdup(text), *line, *save = NULL, last_type[128] = "";
	char last_help[128] = "", want[128];
	unsigned int samples = 0;

	ASSERT_EQ(regcomp(&sample, "^([a-z_]+)(\\{cause=\"[a-z_]+\"\\})? [0-9]+(\\.[0-9]+)?$",
			  REG_EXTENDED), 0);
	ASSERT_EQ(regcomp(&help, "^# HELP ([a-z_]+) .+$", REG_EXTENDED), 0);
	ASSERT_EQ(regcomp(&type, "^# TYPE ([a-z_]+) (gauge|counter)$", REG_EXTENDED), 0);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		regmatch_t m[3];

		if (!strncmp(line, "# HELP ", 7)) {
			ASSERT_EQ(regexec(&help, line, 2, m, 0), 0);
			snprintf(last_help, sizeof(last_help), "%.*s",
				 (int)(m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
		} else if (!strncmp(line, "# TYPE ", 7)) {
			ASSERT_EQ(regexec(&type, line, 3, m, 0), 0);
			snprintf(last_type, sizeof(last_type), "%.*s",
				 (int)(m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
			ASSERT_EQ(strcmp(last_type, last_help), 0);
			/* Counters end in _total, gauges never do. */
			ASSERT_EQ(!strcmp(line + m[2].rm_so, "counter"),
				  strstr(last_type, "_total") != NULL);
		} else {
			if (regexec(&sample, line, 3, m, 0))
				FAIL("not a Prometheus sample line: \"%s\"", line);
			/* Each sample follows its own TYPE line. */
			ASSERT_EQ((size_t)(m[1].rm_eo - m[1].rm_so), strlen(last_type));
			ASSERT_EQ(strncmp(line, last_type, strlen(last_type)), 0);
			samples++;
		}
	}
	ASSERT_EQ(samples, ARRAY_SIZE(stats_keys));
	snprintf(want, sizeof(want), "\npinmgr_pinned_bytes %llu\n",
		 (unsigned long long)pinned_bytes);
	ASSERT_CONTAINS(text, want);
	snprintf(want, sizeof(want), "\npinmgr_break_time_seconds %llu.%03llu\n",
		 break_ms / 1000, break_ms % 1000);
	ASSERT_CONTAINS(text, want);
	ASSERT_CONTAINS(text, "\n# TYPE pinmgr_pin_failures_total counter\n"
			"pinmgr_pin_failures_total{cause=\"memlock\"} ");
	ASSERT_CONTAINS(text, "\npinmgr_leases 1\n");
	ASSERT_CONTAINS(text, "# HELP pinmgr_leases Live leases of /dev/pinmgr (pages pinned).\n");
	regfree(&sample);
	regfree(&help);
	regfree(&type);
	free(copy);
}

TEST(cli_stats)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	void *buf = pm_map_anon(2 * MIB);
	const char *p, *end;
	size_t width = 0, n = 0;
	char want[64];
	json_object *o;
	struct run r;
	uint64_t h;

	NEED_NETLINK();
	ASSERT_EQ(pm_param_write("break_time_ms", 1500), 0);
	ASSERT_RET(pinctl_pin(dev, buf, 2 * MIB, NULL, &h), 0);

	/* -j: every figure of the table under its name, raw. */
	PINCTL(&r, "-j", "stats");
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	assert_keys(o, stats_keys, ARRAY_SIZE(stats_keys));
	ASSERT_EQ(ju64(o, "leases"), 1);
	ASSERT_EQ(ju64(o, "pinned_pages"), 2 * MIB / pm_page_size());
	ASSERT_GE(ju64(o, "pins"), 1);
	ASSERT_GE(ju64(o, "files"), 1);
	ASSERT_EQ(ju64(o, "break_time_ms"), 1500);
	json_object_put(o);

	/* For people: three blocks, every figure aligned on the right. */
	PINCTL(&r, "stats");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strncmp(r.out, "Leases and pins:\n", 17), 0);
	ASSERT_CONTAINS(r.out, "\n\nPins refused:\n");
	ASSERT_CONTAINS(r.out, "\n\nTunables:\n");
	for (p = r.out; *p; p = end + 1) {
		end = strchr(p, '\n');
		ASSERT_NE(end, NULL);
		if (strncmp(p, "  ", 2))
			continue;
		if (!width)
			width = (size_t)(end - p);
		ASSERT_EQ((size_t)(end - p), width);
		n++;
	}
	ASSERT_EQ(n, ARRAY_SIZE(stats_keys));
	ASSERT_CONTAINS(r.out, " 2 MiB\n");
	/* A size's key loses the "_pages" its unit no longer means. */
	ASSERT_EQ(strstr(r.out, "pinned_pages"), NULL);
	p = line_of(r.out, "  pinned ");
	ASSERT_EQ(strcmp(p + strlen(p) - 6, " 2 MiB"), 0);
	p = line_of(r.out, "  break_time ");
	ASSERT_EQ(strcmp(p + strlen(p) - 6, " 1.5 s"), 0);
	p = line_of(r.out, "  leases ");
	ASSERT_EQ(strcmp(p + strlen(p) - 2, " 1"), 0);

	/* -o: one line of key=value, raw numbers. */
	PINCTL(&r, "-o", "stats", "show");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(count_lines(r.out), 1);
	ASSERT_EQ(strncmp(r.out, "leases=1 ended_leases=", 22), 0);
	snprintf(want, sizeof(want), " pinned_pages=%llu ",
		 (unsigned long long)(2 * MIB / pm_page_size()));
	ASSERT_CONTAINS(r.out, want);
	ASSERT_CONTAINS(r.out, " break_time_ms=1500 ");

	PINCTL(&r, "-P", "stats");
	ASSERT_EQ(r.status, 0);
	check_prometheus(r.out, 2 * MIB, 1500);
	PINCTL(&r, "--prometheus", "st", "sh");
	ASSERT_EQ(r.status, 0);
	check_prometheus(r.out, 2 * MIB, 1500);
	ASSERT_EQ(pm_param_write("break_time_ms", 45000), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(cli_monitor)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	void *buf = pm_map_anon(MIB);
	char line[4096], rest[4096];
	json_object *o;
	struct run r;
	struct bg b;
	uint64_t h;
	pid_t pid;

	NEED_NETLINK();
	if (!pm_feature(PINCTL_FEATURE_NL_MONITOR)) {
		PINCTL(&r, "monitor", "for", "1s");
		ASSERT_EQ(r.status, 1);
		ASSERT_CONTAINS(r.err, "pinmgr sends no lease events over netlink here");
		pm_skip_feature(PINCTL_FEATURE_NL_MONITOR,
				"the netlink monitor (PINCTL_FEATURE_NL_MONITOR)");
	}
	BG(&b, "-j", "monitor", "count", "2", "for", "60s");
	bg_wait_err(&b, "monitoring", 20000);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h), 0);
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(jstr(o, "event"), "pinned"), 0);
	ASSERT_EQ(ju64(o, "handle"), h);
	ASSERT_EQ(ju64(o, "tgid"), (uint64_t)getpid());
	json_object_put(o);
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(jstr(o, "event"), "unpinned"), 0);
	json_object_put(o);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);

	/* Text, one line per event; "for" ends it by itself. */
	BG(&b, "monitor", "c", "1", "f", "60s");
	bg_wait_err(&b, "monitoring", 20000);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h), 0);
	bg_line(&b, line, sizeof(line), 20000);
	ASSERT_EQ(strncmp(line, "event pinned  handle ", 21), 0);
	ASSERT_CONTAINS(line, "  length 1 MiB  ");
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	PINCTL(&r, "monitor", "for", "200ms");
	ASSERT_EQ(r.status, 0);

	pid = fork();
	if (pid == 0) {
		ASSERT_EQ(pm_become_nobody(), 0);
		PINCTL(&r, "monitor");
		ASSERT_EQ(r.status, 1);
		ASSERT_CONTAINS(r.err, "watching every lease's events needs CAP_SYS_ADMIN");
		_exit(0);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

TEST(cli_module)
{
	const char *ko = getenv("PINMGR_KO") ? getenv("PINMGR_KO") : "/pinmgr/pinmgr.ko";
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	json_object *o;
	struct run r;

	PINCTL(&r, "-j", "module", "show");
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	ASSERT_EQ(strcmp(jstr(o, "state"), "live"), 0);
	ASSERT_GE(ju64(o, "refcount"), 1);
	ASSERT_GT(ju64(o, "size"), 0);
	ASSERT_GT(ju64(o, "max_lease_pages"), 0);
	json_object_put(o);
	PINCTL(&r, "module");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(line_of(r.out, "state "), " live");
	PINCTL(&r, "module", "unload");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "the pinmgr module is in use");
	PINCTL(&r, "module", "load", "path", ko);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "already loaded");
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);

	if (access(ko, R_OK))
		SKIP("no module file at %s", ko);
	PINCTL(&r, "module", "unload");
	ASSERT_EQ(r.status, 0);
	PINCTL(&r, "-j", "module", "show");
	ASSERT_EQ(strncmp(r.out, "{\"module\":\"pinmgr\",\"state\":\"absent\"", 35), 0);
	PINCTL(&r, "limits");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "/dev/pinmgr does not exist");
	PINCTL(&r, "module", "load", "path", ko, "max_leases=99", "break_time_ms=500");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(chmod("/dev/pinmgr", 0666), 0);
	PINCTL(&r, "-j", "module", "show");
	o = json_parse(r.out);
	ASSERT_EQ(ju64(o, "max_leases"), 99);
	ASSERT_EQ(ju64(o, "break_time_ms"), 500);
	json_object_put(o);
	ASSERT_EQ(pm_param_write("max_leases", 65536), 0);
	ASSERT_EQ(pm_param_write("break_time_ms", 45000), 0);
}

/* state: a filter of pinctl's own, by any state's name or prefix. */
TEST(cli_lease_state_filter)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx), *admin = lt_dev(ctx);
	PINCTL_OPTS(pinctl_revoke_opts, now, .flags = PINCTL_REVOKE_NOW);
	PINCTL_OPTS(pinctl_pin_opts, po, .cookie = 0x57a7e);
	char *buf = pm_map_anon(2 * MIB), line[128];
	uint64_t h1, h2;
	json_object *a;
	struct run r;

	NEED_NETLINK();
	ASSERT_RET(pinctl_pin(dev, buf, MIB, &po, &h1), 0);
	ASSERT_RET(pinctl_pin(dev, buf + MIB, MIB, &po, &h2), 0);
	ASSERT_RET(pinctl_revoke(admin, h2, &now, NULL), 0);

	PINCTL(&r, "-j", "lease", "list", "cookie", "0x57a7e", "state", "revoked");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	ASSERT_EQ(ju64(json_object_array_get_idx(a, 0), "handle"), h2);
	ASSERT_EQ(strcmp(jstr(json_object_array_get_idx(a, 0), "state"), "revoked"), 0);
	json_object_put(a);
	PINCTL(&r, "-j", "lease", "list", "state", "act", "cookie", "0x57a7e");
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	ASSERT_EQ(ju64(json_object_array_get_idx(a, 0), "handle"), h1);
	/* Never stale: the reason is "none", the slot and the part 0. */
	ASSERT_EQ(strcmp(jstr(json_object_array_get_idx(a, 0), "stale_reason"), "none"), 0);
	ASSERT_EQ(ju64(json_object_array_get_idx(a, 0), "watch_slot"), 0);
	ASSERT_EQ(ju64(json_object_array_get_idx(a, 0), "stale_length"), 0);
	json_object_put(a);
	PINCTL(&r, "-j", "lease", "list", "cookie", "0x57a7e", "state", "stale");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);
	PINCTL(&r, "-j", "lease", "list", "cookie", "0x57a7e", "st", "inv");
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);

	/* -o and text: the new fields close each record. */
	PINCTL(&r, "-o", "lease", "list", "cookie", "0x57a7e", "state", "active");
	ASSERT_EQ(count_lines(r.out), 1);
	ASSERT_CONTAINS(r.out, " end_time_ns=0 stale_reason=none watch_slot=0 "
			"stale_addr=0x0 stale_length=0 exports=0 "
			"export_holds=0 cgroup_id=");
	snprintf(line, sizeof(line), "%llu", (unsigned long long)h1);
	PINCTL(&r, "lease", "show", line);
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strcmp(line_of(r.out, "stale_reason ") +
			 strlen(line_of(r.out, "stale_reason ")) - 2, " -"), 0);
	ASSERT_CONTAINS(line_of(r.out, "watch_slot "), " 0");
	ASSERT_RET(pinctl_unpin(dev, h2), -EKEYREVOKED);
	pinctl_dev_unref(admin);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

/* A file of @pages pages under /tmp (its path in @path), for pinctl pin. */
static void make_file(char *path, size_t pages)
{
	int fd = mkstemp(path);

	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, (off_t)(pages * pm_page_size())), 0);
	close(fd);
}

/*
 * pin watch: the slot and generation in the pinned record; a truncated
 * file turns the lease stale, which pinctl reports and holds on to, and
 * which lease list shows by its state.
 */
TEST(cli_pin_watch)
{
	char path[] = "/tmp/cli-watch-XXXXXX", line[4096], rest[4096], arg[32];
	json_object *o, *a, *l;
	uint64_t h, slot;
	struct run r;
	struct bg b;

	if (!pm_feature(PINCTL_FEATURE_WATCH)) {
		PINCTL(&r, "pin", "1M", "watch");
		ASSERT_EQ(r.status, 1);
		ASSERT_CONTAINS(r.err, "cannot watch ranges");
		pm_skip_feature(PINCTL_FEATURE_WATCH, "watched leases (PINCTL_FEATURE_WATCH)");
	}
	NEED_NETLINK();
	make_file(path, 4);
	BG(&b, "-j", "pin", "file", path, "watch");
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(jstr(o, "event"), "pinned"), 0);
	ASSERT_EQ(strcmp(json_object_to_json_string(jget(o, "flags")), "[ \"watch\" ]"), 0);
	h = ju64(o, "handle");
	slot = ju64(o, "watch_slot");
	ASSERT_NE(slot, 0);
	/* A generation may start at 0: only that it is there. */
	(void)ju64(o, "watch_gen");
	json_object_put(o);
	snprintf(arg, sizeof(arg), "%d", b.pid);
	PINCTL(&r, "-j", "lease", "list", "pid", arg, "state", "stale");
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);

	ASSERT_EQ(truncate(path, 0), 0);
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(jstr(o, "event"), "stale"), 0);
	ASSERT_EQ(ju64(o, "handle"), h);
	ASSERT_EQ(strcmp(jstr(o, "stale_reason"), "discard"), 0);
	ASSERT_GT(ju64(o, "stale_length"), 0);
	json_object_put(o);

	PINCTL(&r, "-j", "lease", "list", "pid", arg, "state", "stale");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	l = json_object_array_get_idx(a, 0);
	ASSERT_EQ(ju64(l, "handle"), h);
	ASSERT_EQ(strcmp(jstr(l, "state"), "stale"), 0);
	ASSERT_EQ(strcmp(jstr(l, "stale_reason"), "discard"), 0);
	ASSERT_EQ(ju64(l, "watch_slot"), slot);
	ASSERT_EQ(strcmp(json_object_to_json_string(jget(l, "flags")), "[ \"watch\" ]"), 0);
	json_object_put(a);
	snprintf(arg, sizeof(arg), "%llu", (unsigned long long)h);
	PINCTL(&r, "lease", "show", arg);
	ASSERT_CONTAINS(line_of(r.out, "state "), " stale");
	ASSERT_CONTAINS(line_of(r.out, "stale_reason "), " discard");
	ASSERT_CONTAINS(line_of(r.out, "flags "), " watch");

	/* Stale, it is held until a signal, as any lease. */
	ASSERT_EQ(kill(b.pid, SIGTERM), 0);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	ASSERT_CONTAINS(rest, "\"event\":\"unpinned\"");
	unlink(path);

	/* For people: the slot on the pinned line. */
	BG(&b, "pin", "1M", "watch");
	bg_line(&b, line, sizeof(line), 20000);
	ASSERT_CONTAINS(line, "  flags watch  state active  ");
	ASSERT_CONTAINS(line, "  watch_slot ");
	ASSERT_CONTAINS(line, "  watch_gen ");
	ASSERT_EQ(kill(b.pid, SIGTERM), 0);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
}

/* release-on-stale: the driver releases the pages; pinctl acknowledges. */
TEST(cli_pin_release_on_stale)
{
	char path[] = "/tmp/cli-ros-XXXXXX", line[4096], rest[4096];
	json_object *o;
	struct run r;
	struct bg b;

	if (!pm_feature(PINCTL_FEATURE_WATCH)) {
		PINCTL(&r, "pin", "1M", "release-on-stale");
		ASSERT_EQ(r.status, 1);
		pm_skip_feature(PINCTL_FEATURE_WATCH, "watched leases (PINCTL_FEATURE_WATCH)");
	}
	make_file(path, 2);
	/* release-on-stale alone implies watch. */
	BG(&b, "-j", "pin", "file", path, "release-on-stale");
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(json_object_to_json_string(jget(o, "flags")),
			 "[ \"watch\", \"release-on-stale\" ]"), 0);
	json_object_put(o);
	ASSERT_EQ(truncate(path, 0), 0);
	/* pinctl ends by itself. */
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	ASSERT_CONTAINS(rest, "\"event\":\"stale\"");
	ASSERT_CONTAINS(rest, "\"stale_reason\":\"discard\"");
	ASSERT_CONTAINS(rest, "\"event\":\"invalidated\"");
	unlink(path);

	/* watch-only pins nothing; the driver's rules for the flags hold. */
	PINCTL(&r, "-j", "pin", "1M", "watch-only", "for", "100ms");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"watch-only\"");
	ASSERT_CONTAINS(r.out, "\"watch_slot\":");
	ASSERT_CONTAINS(r.out, "\"event\":\"expired\"");
	PINCTL(&r, "pin", "1M", "watch-only", "longterm");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "watch-only goes with neither longterm nor release-on-stale");
}

/*
 * pin ... export: pinctl holds a dma-buf of the lease and prints its
 * number; another process takes it (pidfd_getfd) and keeps the pages
 * after pinctl is gone, until an administrator revokes the lease (at once:
 * a break has no owner to warn).
 */
TEST(cli_pin_export)
{
	char line[4096], rest[4096], arg[32];
	long long base = pm_outstanding_pins();
	int pidfd, dbuf;
	json_object *o, *a;
	uint64_t h, fd;
	struct run r;
	struct bg b;
	char *map;

	if (!pm_feature(PINCTL_FEATURE_EXPORT)) {
		PINCTL(&r, "pin", "1M", "export");
		ASSERT_EQ(r.status, 1);
		ASSERT_CONTAINS(r.err, "no dma-buf export");
		pm_skip_feature(PINCTL_FEATURE_EXPORT, "exported leases (PINCTL_FEATURE_EXPORT)");
	}
	NEED_NETLINK();
	PINCTL(&r, "pin", "1M", "watch-only", "export");
	ASSERT_EQ(r.status, 2);
	ASSERT_CONTAINS(r.err, "pins nothing to export");

	BG(&b, "-j", "pin", "1M", "write", "export");
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(jstr(o, "event"), "pinned"), 0);
	h = ju64(o, "handle");
	json_object_put(o);
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(jstr(o, "event"), "exported"), 0);
	ASSERT_EQ(ju64(o, "handle"), h);
	fd = ju64(o, "exported_fd");
	json_object_put(o);

	snprintf(arg, sizeof(arg), "%d", b.pid);
	PINCTL(&r, "-j", "lease", "list", "pid", arg);
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	ASSERT_EQ(ju64(json_object_array_get_idx(a, 0), "exports"), 1);
	json_object_put(a);

	pidfd = (int)syscall(SYS_pidfd_open, b.pid, 0);
	ASSERT_GE(pidfd, 0);
	dbuf = (int)syscall(SYS_pidfd_getfd, pidfd, (int)fd, 0);
	ASSERT_GE(dbuf, 0);
	close(pidfd);
	ASSERT_EQ(lseek(dbuf, 0, SEEK_END), 1 << 20);

	/* pinctl unpins and ends; the pages stay with the dma-buf. */
	ASSERT_EQ(kill(b.pid, SIGTERM), 0);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	ASSERT_CONTAINS(rest, "\"event\":\"unpinned\"");
	pm_vmstat_refresh();
	ASSERT_EQ(pm_outstanding_pins() - base, (long long)((1 << 20) / pm_page_size()));
	/* Held by the dma-buf, and listed so. */
	PINCTL(&r, "-j", "lease", "list", "state", "held");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	ASSERT_EQ(ju64(json_object_array_get_idx(a, 0), "handle"), h);
	ASSERT_EQ(ju64(json_object_array_get_idx(a, 0), "exports"), 1);
	json_object_put(a);
	map = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, dbuf, 0);
	ASSERT_NE(map, MAP_FAILED);
	map[0] = 1;
	munmap(map, 1 << 20);

	/* The administrator takes it back from whoever has the dma-buf. */
	snprintf(arg, sizeof(arg), "%llu", (unsigned long long)h);
	PINCTL(&r, "lease", "revoke", arg);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "held by its dma-bufs alone");
	PINCTL(&r, "lease", "revoke", arg, "now");
	ASSERT_EQ(r.status, 0);
	pm_vmstat_refresh();
	ASSERT_EQ(pm_outstanding_pins() - base, 0);
	/* Listed, revoked, until the last dma-buf goes. */
	PINCTL(&r, "-j", "lease", "show", arg);
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	ASSERT_EQ(strcmp(jstr(o, "state"), "revoked"), 0);
	ASSERT_EQ(ju64(o, "exports"), 1);
	json_object_put(o);
	close(dbuf);
	PINCTL(&r, "lease", "show", arg);
	ASSERT_EQ(r.status, 1);
}


static json_object *find_budget(json_object *a, const char *cgroup)
{
	size_t i;

	for (i = 0; i < json_object_array_length(a); i++)
		if (!strcmp(jstr(json_object_array_get_idx(a, i), "cgroup"),
			    cgroup))
			return json_object_array_get_idx(a, i);
	FAIL("no budget of %s in %s", cgroup, json_object_to_json_string(a));
	return NULL;
}

/*
 * Where budgets cannot be had, each budget command says why: a kernel
 * without cgroups (the debug kernel) by the feature bit, a system without
 * cgroup v2 (a mount namespace that unmounted it) by its mounts.
 */
TEST(cli_budget_says_why_it_cannot_be_had)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	PINCTL_OPTS(pinctl_info, info);
	struct run r;
	pid_t pid;

	ASSERT_EQ(pinctl_dev_info(dev, &info), 0);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
	if (!(info.features & PINCTL_FEATURE_BUDGETS)) {
		PINCTL(&r, "budget", "show");
		ASSERT_EQ(r.status, 1);
		ASSERT_CONTAINS(r.err, "budgets need a kernel with cgroups "
			       "(CONFIG_CGROUPS)");
		return;
	}
	pm_need_cgroup2();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		ASSERT_EQ(unshare(CLONE_NEWNS), 0);
		mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
		ASSERT_EQ(umount2(PM_CGROUP_ROOT, MNT_DETACH), 0);
		PINCTL(&r, "budget", "show");
		ASSERT_EQ(r.status, 1);
		ASSERT_CONTAINS(r.err, "no cgroup2 file system is mounted here "
			       "(a cgroup v1-only system)");
		PINCTL(&r, "budget", "set", "/", "1M");
		ASSERT_EQ(r.status, 1);
		ASSERT_CONTAINS(r.err, "no cgroup2 file system is mounted here");
		_exit(PM_EXIT_PASS);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	/* Nothing was set: the root has no budget. */
	PINCTL(&r, "-o", "budget", "show");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strstr(r.out, "cgroup=/ ") != NULL, 0);
}

/*
 * Budgets set, shown as a tree and cleared; a pin over one, from inside
 * the cgroup, is told in words that name the cgroup, its budget and what
 * the pin would take it to.
 */
TEST(cli_budget)
{
	char line[4096];
	json_object *a, *b;
	bool monitored;
	struct run r;
	struct bg bg;
	pid_t pid;

	pm_need_cgroup2();
	pm_cgroup_make("pmt-cli");
	pm_cgroup_make("pmt-cli/in");
	PINCTL(&r, "budget", "set", "/pmt-cli", "64K");
	ASSERT_EQ(r.status, 0);
	PINCTL(&r, "budget", "set", "/pmt-cli/in", "1M", "sufficient");
	ASSERT_EQ(r.status, 0);
	PINCTL(&r, "budget", "set", "/pmt-none", "1M");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "/pmt-none: no such cgroup v2 directory");
	PINCTL(&r, "budget", "set", "/pmt-cli");
	ASSERT_EQ(r.status, 2);

	PINCTL(&r, "-j", "budget", "show");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	b = find_budget(a, "/pmt-cli");
	ASSERT_EQ(ju64(b, "limit"), 64 * 1024);
	ASSERT_EQ(ju64(b, "usage"), 0);
	ASSERT_EQ(strcmp(jstr(b, "sufficient"), "no"), 0);
	b = find_budget(a, "/pmt-cli/in");
	ASSERT_EQ(ju64(b, "limit"), MIB);
	ASSERT_EQ(ju64(b, "depth"), ju64(find_budget(a, "/pmt-cli"), "depth") + 1);
	ASSERT_EQ(strcmp(jstr(b, "sufficient"), "yes"), 0);
	json_object_put(a);
	/* For people, each under its budgeted ancestor. */
	PINCTL(&r, "budget");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "  /pmt-cli/in");
	/* For Prometheus, labelled by path, escaped as the format says. */
	/* A quote, a backslash, a tab and a byte that is not UTF-8. */
	pm_cgroup_make("pmt-cli/q\"\\\t\xff");
	PINCTL(&r, "budget", "set", "/pmt-cli/q\"\\\t\xff", "2M");
	ASSERT_EQ(r.status, 0);
	PINCTL(&r, "-P", "stats");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\n# TYPE pinmgr_budget_limit_bytes gauge\n");
	ASSERT_CONTAINS(r.out, "\npinmgr_budget_limit_bytes{cgroup=\"/pmt-cli\"} 65536\n");
	ASSERT_CONTAINS(r.out, "\npinmgr_budget_limit_bytes{cgroup=\"/pmt-cli/in\"} 1048576\n");
	ASSERT_CONTAINS(r.out, "\npinmgr_budget_limit_bytes{cgroup=\"/pmt-cli/q\\\"\\\\"
			"\xef\xbf\xbd\xef\xbf\xbd\"} 2097152\n");
	ASSERT_CONTAINS(r.out, "\npinmgr_budget_usage_bytes{cgroup=\"/pmt-cli\"} 0\n");
	ASSERT_CONTAINS(r.out, "\n# TYPE pinmgr_budget_hits_total counter\n");
	ASSERT_CONTAINS(r.out, "\npinmgr_budget_hits_total{cgroup=\"/pmt-cli\"} 0\n");
	PINCTL(&r, "budget", "clear", "/pmt-cli/q\"\\\t\xff");
	ASSERT_EQ(r.status, 0);
	pm_cgroup_remove("pmt-cli/q\"\\\t\xff");

	/* The refused pin below reaches a monitor as a budget hit. */
	monitored = pm_feature(PINCTL_FEATURE_NL_MONITOR);
	if (monitored) {
		BG(&bg, "-j", "monitor", "count", "1", "for", "60s");
		bg_wait_err(&bg, "monitoring", 20000);
	}
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pm_cgroup_enter("pmt-cli");
		PINCTL(&r, "pin", "128K");
		ASSERT_EQ(r.status, 1);
		ASSERT_EQ(strcmp(r.err, "pinctl: pinning 128 KiB would take cgroup "
				 "/pmt-cli to 128 KiB, over its budget of 64 KiB; "
				 "unpin, or have the administrator raise it "
				 "(pinctl budget set)\n"), 0);
		_exit(PM_EXIT_PASS);
	}
	ASSERT_EQ(pm_wait(pid), 0);
	if (monitored) {
		bg_line(&bg, line, sizeof(line), 20000);
		a = json_parse(line);
		ASSERT_EQ(strcmp(jstr(a, "event"), "budget-hit"), 0);
		ASSERT_EQ(strcmp(jstr(a, "cgroup"), "/pmt-cli"), 0);
		ASSERT_EQ(ju64(a, "limit"), 64 * 1024);
		ASSERT_EQ(ju64(a, "usage"), 0);
		ASSERT_EQ(ju64(a, "length"), 128 * 1024);
		ASSERT_EQ(strcmp(jstr(a, "comm"), "pinctl"), 0);
		ASSERT_EQ(ju64(a, "hits"), 1);
		json_object_put(a);
		ASSERT_EQ(bg_end(&bg, line, sizeof(line)), 0);
	}
	/* The refused pin shows as a hit of the budget it met. */
	PINCTL(&r, "-P", "stats");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\npinmgr_budget_hits_total{cgroup=\"/pmt-cli\"} 1\n");
	ASSERT_CONTAINS(r.out, "\npinmgr_budget_hits_total{cgroup=\"/pmt-cli/in\"} 0\n");

	PINCTL(&r, "budget", "clear", "/pmt-cli/in");
	ASSERT_EQ(r.status, 0);
	PINCTL(&r, "budget", "clear", "/pmt-cli");
	ASSERT_EQ(r.status, 0);
	PINCTL(&r, "budget", "clear", "/pmt-cli");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "or no budget on it");
	pm_cgroup_remove("pmt-cli/in");
	pm_cgroup_remove("pmt-cli");
}
