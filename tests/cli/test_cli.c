// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl: every command against the real driver: help and usage errors
 * (exit 2), errors in words (exit 1), JSON output parsed with json-c and its
 * values checked, text output, the Prometheus format, human sizes.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "clitest.h"

#define MIB	(1024ULL * 1024)

TEST(cli_help_everywhere)
{
	static const char *const cmds[][4] = {
		{ "--help" }, { "help" }, { "-h" },
		{ "lease", "help" }, { "lease", "--help" },
		{ "lease", "list", "--help" }, { "lease", "show", "--help" },
		{ "lease", "revoke", "--help" },
		{ "stats", "--help" }, { "monitor", "--help" }, { "limits", "--help" },
		{ "module", "--help" }, { "module", "status", "--help" },
		{ "module", "load", "--help" }, { "module", "unload", "--help" },
		{ "pin", "--help" },
	};
	struct run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		PINCTL(&r, cmds[i][0], cmds[i][1], cmds[i][2]);
		ASSERT_EQ(r.status, 0);
		ASSERT_EQ(strncmp(r.out, "usage: pinctl", 13), 0);
		ASSERT_EQ(r.err[0], '\0');
	}
}

TEST(cli_usage_errors)
{
	static const char *const cmds[][5] = {
		{ NULL }, { "bogus" }, { "-x", "lease" }, { "lease", "bogus" },
		{ "lease", "list", "pid" }, { "lease", "list", "pid", "abc" },
		{ "lease", "list", "colour", "red" }, { "lease", "show" },
		{ "lease", "show", "0" }, { "lease", "revoke", "x" },
		{ "pin" }, { "pin", "12Q" }, { "pin", "3000" }, { "pin", "-5M" },
		{ "pin", "64M", "--for", "soon" }, { "pin", "4M", "--anon", "--thp" },
		{ "pin", "4M", "--offset", "4K" },
		{ "monitor", "count", "0" }, { "monitor", "for" },
		{ "stats", "extra" }, { "limits", "more" },
		{ "module", "frob" }, { "module", "load", "--path" },
		{ "module", "status", "x" },
	};
	struct run r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		PINCTL(&r, cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3]);
		ASSERT_EQ(r.status, 2);
		ASSERT_EQ(strncmp(r.err, "pinctl: ", 8), 0);
		ASSERT_CONTAINS(r.err, "usage: pinctl");
		ASSERT_EQ(r.out[0], '\0');
	}
}

TEST(cli_limits)
{
	struct run r;
	json_object *o;
	unsigned long long v;
	struct pinmgr_info k;
	int fd = pm_open();

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
	PINCTL(&r, "limits");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "page_size 4096");
	ASSERT_CONTAINS(r.out, "max_lease 4G");
}

/* The issue's own example: a pin over RLIMIT_MEMLOCK, in words. */
TEST(cli_pin_over_memlock)
{
	struct rlimit rl = { 8 * MIB, 8 * MIB };
	struct run r;

	ASSERT_EQ(pm_become_nobody(), 0);
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	PINCTL(&r, "pin", "64M");
	ASSERT_EQ(r.status, 1);
	ASSERT_EQ(strcmp(r.err, "pinctl: pinning 64 MiB would take the memory this "
			 "user has locked (in all of its processes) to 64 MiB, over "
			 "RLIMIT_MEMLOCK of 8 MiB; raise `ulimit -l` or grant "
			 "CAP_IPC_LOCK\n"), 0);
	PINCTL(&r, "pin", "64M", "--file", "/nonexistent");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "/nonexistent: No such file or directory");
	/* Not root: no module loading, no monitor. */
	PINCTL(&r, "module", "unload");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "CAP_SYS_MODULE");
}

/* Pin in the background; list, filter, show and revoke it. */
TEST(cli_pin_list_show_revoke)
{
	char line[4096], rest[4096], arg[32];
	json_object *o, *a, *l = NULL;
	uint64_t h;
	struct run r;
	struct bg b;
	size_t i;

	NEED_NETLINK();
	ASSERT_EQ(pm_param_write("break_time_ms", 60000), 0);
	BG(&b, "-j", "pin", "4M", "--write", "--cookie", "4242");
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(jstr(o, "event"), "pinned"), 0);
	ASSERT_EQ(strcmp(jstr(o, "buffer"), "anon"), 0);
	h = ju64(o, "handle");
	ASSERT_EQ(ju64(o, "length"), 4 * MIB);
	ASSERT_EQ(ju64(o, "pages"), 4 * MIB / pm_page_size());
	ASSERT_EQ(ju64(o, "pid"), (uint64_t)b.pid);
	json_object_put(o);

	PINCTL(&r, "-j", "lease", "list");
	ASSERT_EQ(r.status, 0);
	a = json_parse(r.out);
	ASSERT_TRUE(json_object_is_type(a, json_type_array));
	for (i = 0; i < json_object_array_length(a); i++)
		if (ju64(json_object_array_get_idx(a, i), "handle") == h)
			l = json_object_array_get_idx(a, i);
	ASSERT_NE(l, NULL);
	ASSERT_EQ(ju64(l, "pid"), (uint64_t)b.pid);
	ASSERT_EQ(ju64(l, "uid"), 0);
	ASSERT_EQ(strcmp(jstr(l, "comm"), "pinctl"), 0);
	ASSERT_EQ(ju64(l, "length"), 4 * MIB);
	ASSERT_EQ(ju64(l, "cookie"), 4242);
	ASSERT_EQ(strcmp(jstr(l, "state"), "active"), 0);
	ASSERT_EQ(strcmp(json_object_to_json_string(jget(l, "flags")), "[ \"write\" ]"), 0);
	ASSERT_GT(ju64(l, "created_ns"), 0);
	ASSERT_EQ(ju64(l, "expires_ns"), 0);
	json_object_put(a);

	/* Filters. */
	snprintf(arg, sizeof(arg), "%d", b.pid);
	PINCTL(&r, "-j", "lease", "list", "pid", arg);
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	json_object_put(a);
	PINCTL(&r, "-j", "lease", "list", "pid", "1");
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);
	PINCTL(&r, "-j", "lease", "list", "uid", "4242");
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);
	PINCTL(&r, "-j", "lease", "list", "uid", "0", "comm", "pinctl");
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	json_object_put(a);
	PINCTL(&r, "-j", "lease", "list", "comm", "pinct");
	ASSERT_EQ(strcmp(r.out, "[]\n"), 0);
	PINCTL(&r, "-j", "lease", "list", "cookie", "4242");
	a = json_parse(r.out);
	ASSERT_EQ(json_object_array_length(a), 1);
	json_object_put(a);

	/* Text: key value pairs, sizes in human units. */
	PINCTL(&r, "lease", "list", "pid", arg);
	ASSERT_EQ(r.status, 0);
	snprintf(line, sizeof(line), "handle %llu pid %d uid 0 comm pinctl addr 0x",
		 (unsigned long long)h, b.pid);
	ASSERT_EQ(strncmp(r.out, line, strlen(line)), 0);
	ASSERT_CONTAINS(r.out, " length 4M pages 1024 ");
	ASSERT_CONTAINS(r.out, " flags write state active cookie 4242 ");

	/* show, plain and pretty. */
	snprintf(arg, sizeof(arg), "%llu", (unsigned long long)h);
	PINCTL(&r, "-j", "-p", "lease", "show", arg);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\n  \"handle\": ");
	o = json_parse(r.out);
	ASSERT_EQ(ju64(o, "handle"), h);
	ASSERT_GT(ju64(o, "file"), 0);
	json_object_put(o);

	/* revoke: the pin gives in at once and ends. */
	PINCTL(&r, "-j", "lease", "revoke", arg);
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	ASSERT_EQ(strcmp(jstr(o, "revoked"), "break"), 0);
	ASSERT_GT(ju64(o, "deadline_ns"), pm_realtime_ns() + 50000 * PM_MS);
	json_object_put(o);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	ASSERT_CONTAINS(rest, "\"event\":\"breaking\"");
	ASSERT_CONTAINS(rest, "\"event\":\"unpinned\"");

	PINCTL(&r, "lease", "show", arg);
	ASSERT_EQ(r.status, 1);
	snprintf(line, sizeof(line), "pinctl: no visible lease %s on the device", arg);
	ASSERT_EQ(strncmp(r.err, line, strlen(line)), 0);
	PINCTL(&r, "lease", "revoke", arg, "now");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "on the device, or its owner has closed its file");
}

/* --for: the driver ends the lease; pinctl reports it and exits 0. */
TEST(cli_pin_for_expires)
{
	char rest[4096], line[4096];
	json_object *o;
	struct bg b;

	BG(&b, "-j", "pin", "1024K", "--for", "300ms", "--longterm");
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(ju64(o, "length"), MIB);
	ASSERT_GT(ju64(o, "expires_ns"), 0);
	ASSERT_EQ(strcmp(json_object_to_json_string(jget(o, "flags")), "[ \"longterm\" ]"), 0);
	json_object_put(o);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	ASSERT_CONTAINS(rest, "\"event\":\"expired\"");
}

TEST(cli_pin_signal_text)
{
	char line[4096], rest[4096];
	struct bg b;

	BG(&b, "pin", "4M", "--thp");
	bg_line(&b, line, sizeof(line), 20000);
	ASSERT_EQ(strncmp(line, "event pinned buffer thp handle ", 31), 0);
	ASSERT_CONTAINS(line, " length 4M pages 1024 ");
	ASSERT_EQ(kill(b.pid, SIGTERM), 0);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);
	ASSERT_EQ(strncmp(rest, "event unpinned handle ", 22), 0);
}

TEST(cli_pin_buffers)
{
	char path[] = "/tmp/cli-pin-XXXXXX", rest[8192];
	struct run r;
	int fd;

	PINCTL(&r, "-j", "pin", "1M", "--memfd", "--write", "--for", "100ms");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"buffer\":\"memfd\"");

	fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(ftruncate(fd, 3 * 4096 + 100), 0);
	close(fd);
	PINCTL(&r, "-j", "pin", "--file", path, "--offset", "4K", "--for", "100ms");
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"buffer\":\"file\"");
	ASSERT_CONTAINS(r.out, "\"length\":12288");
	unlink(path);

	fd = open("/proc/sys/vm/nr_hugepages", O_WRONLY);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(write(fd, "2", 1), 1);
	close(fd);
	PINCTL(&r, "-j", "pin", "2M", "--hugetlb", "--for", "100ms");
	if (r.status == 1 && strstr(r.err, "hugetlb pages"))
		SKIP("no hugetlb pages could be reserved: %s", r.err);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"buffer\":\"hugetlb\"");
	PINCTL(&r, "pin", "3M", "--hugetlb");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "not a multiple of 2M");
	(void)rest;
}

/* A comm can hold any byte: json-c escapes, text shows \xNN. */
TEST(cli_json_escaping)
{
	struct pinctl_ctx *ctx = lt_ctx();
	struct pinctl_dev *dev = lt_dev(ctx);
	void *buf = pm_map_anon(MIB);
	char arg[32];
	json_object *a;
	struct run r;
	uint64_t h;

	NEED_NETLINK();
	ASSERT_EQ(prctl(PR_SET_NAME, "a\"b\\c\n\x01/\xff"), 0);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h), 0);
	snprintf(arg, sizeof(arg), "%d", getpid());
	PINCTL(&r, "-j", "lease", "list", "pid", arg);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, "\"comm\":\"a\\\"b\\\\c\\n\\u0001/\xef\xbf\xbd\"");
	a = json_parse(r.out);
	ASSERT_EQ(strcmp(jstr(json_object_array_get_idx(a, 0), "comm"),
			 "a\"b\\c\n\x01/\xef\xbf\xbd"), 0);
	json_object_put(a);
	PINCTL(&r, "lease", "list", "pid", arg);
	ASSERT_EQ(r.status, 0);
	ASSERT_CONTAINS(r.out, " comm a\"b\\x5cc\\x0a\\x01/\\xff addr ");
	ASSERT_EQ(strchr(r.out, '\n'), r.out + strlen(r.out) - 1);
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);
}

static void check_prometheus(const char *text, uint64_t pinned_bytes)
{
	regex_t sample, help, type;
	char *copy = strdup(text), *line, *save = NULL, last_type[128] = "";
	char want[128];
	unsigned int samples = 0;

	ASSERT_EQ(regcomp(&sample, "^([a-z_]+)(\\{cause=\"[a-z_]+\"\\})? [0-9]+(\\.[0-9]+)?$",
			  REG_EXTENDED), 0);
	ASSERT_EQ(regcomp(&help, "^# HELP [a-z_]+ .+$", REG_EXTENDED | REG_NOSUB), 0);
	ASSERT_EQ(regcomp(&type, "^# TYPE ([a-z_]+) (gauge|counter)$", REG_EXTENDED), 0);
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		regmatch_t m[3];

		if (!strncmp(line, "# HELP ", 7)) {
			ASSERT_EQ(regexec(&help, line, 0, NULL, 0), 0);
		} else if (!strncmp(line, "# TYPE ", 7)) {
			ASSERT_EQ(regexec(&type, line, 3, m, 0), 0);
			snprintf(last_type, sizeof(last_type), "%.*s",
				 (int)(m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
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
	ASSERT_GE(samples, 20);
	snprintf(want, sizeof(want), "\npinmgr_pinned_bytes %llu\n",
		 (unsigned long long)pinned_bytes);
	ASSERT_CONTAINS(text, want);
	ASSERT_CONTAINS(text, "\npinmgr_pin_failures_total{cause=\"memlock\"} ");
	ASSERT_CONTAINS(text, "\npinmgr_leases 1\n");
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
	json_object *o;
	struct run r;
	uint64_t h;

	NEED_NETLINK();
	ASSERT_RET(pinctl_pin(dev, buf, 2 * MIB, NULL, &h), 0);
	PINCTL(&r, "-j", "stats");
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	ASSERT_EQ(ju64(o, "leases"), 1);
	ASSERT_EQ(ju64(o, "pinned_pages"), 2 * MIB / pm_page_size());
	ASSERT_EQ(ju64(o, "pinned"), 2 * MIB);
	ASSERT_GE(ju64(o, "pins"), 1);
	ASSERT_GE(ju64(o, "files"), 1);
	json_object_put(o);
	PINCTL(&r, "stats");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(strncmp(r.out, "leases 1 ended_leases ", 22), 0);
	ASSERT_CONTAINS(r.out, " pinned 2M ");
	PINCTL(&r, "stats", "--prometheus");
	ASSERT_EQ(r.status, 0);
	check_prometheus(r.out, 2 * MIB);
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
	BG(&b, "-j", "monitor", "count", "2", "for", "60s");
	bg_wait_err(&b, "monitoring", 20000);
	ASSERT_RET(pinctl_pin(dev, buf, MIB, NULL, &h), 0);
	ASSERT_RET(pinctl_unpin(dev, h), 0);
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(jstr(o, "event"), "pinned"), 0);
	ASSERT_EQ(ju64(o, "handle"), h);
	ASSERT_EQ(ju64(o, "pid"), (uint64_t)getpid());
	json_object_put(o);
	bg_line(&b, line, sizeof(line), 20000);
	o = json_parse(line);
	ASSERT_EQ(strcmp(jstr(o, "event"), "unpinned"), 0);
	json_object_put(o);
	ASSERT_EQ(bg_end(&b, rest, sizeof(rest)), 0);

	/* "for": ends by itself; text output. */
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

	PINCTL(&r, "-j", "module", "status");
	ASSERT_EQ(r.status, 0);
	o = json_parse(r.out);
	ASSERT_EQ(strcmp(jstr(o, "state"), "live"), 0);
	ASSERT_GE(ju64(o, "refcount"), 1);
	ASSERT_GT(ju64(o, "size"), 0);
	ASSERT_GT(ju64(o, "max_lease_pages"), 0);
	json_object_put(o);
	PINCTL(&r, "module", "unload");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "the pinmgr module is in use");
	PINCTL(&r, "module", "load", "--path", ko);
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "already loaded");
	pinctl_dev_unref(dev);
	pinctl_unref(ctx);

	if (access(ko, R_OK))
		SKIP("no module file at %s", ko);
	PINCTL(&r, "module", "unload");
	ASSERT_EQ(r.status, 0);
	PINCTL(&r, "-j", "module", "status");
	ASSERT_EQ(strncmp(r.out, "{\"module\":\"pinmgr\",\"state\":\"absent\"", 35), 0);
	PINCTL(&r, "limits");
	ASSERT_EQ(r.status, 1);
	ASSERT_CONTAINS(r.err, "/dev/pinmgr does not exist");
	PINCTL(&r, "module", "load", "--path", ko, "max_leases=99", "break_time_ms=500");
	ASSERT_EQ(r.status, 0);
	ASSERT_EQ(chmod("/dev/pinmgr", 0666), 0);
	PINCTL(&r, "-j", "module", "status");
	o = json_parse(r.out);
	ASSERT_EQ(ju64(o, "max_leases"), 99);
	ASSERT_EQ(ju64(o, "break_time_ms"), 500);
	json_object_put(o);
	ASSERT_EQ(pm_param_write("max_leases", 65536), 0);
	ASSERT_EQ(pm_param_write("break_time_ms", 45000), 0);
}
