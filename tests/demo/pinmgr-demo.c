// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinmgr-demo: pin a few buffers of different kinds through /dev/pinmgr,
 * print the context's live leases as a table, then unpin and show that the
 * kernel's pin counters balance. The main job of `make run`.
 *
 * pinmgr-demo [COMMAND]: with COMMAND, runs it (sh -c) while the leases
 * are live, so that `make run` can show them with pinctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pinmgr.h>

#define MIB (1024UL * 1024)

struct buffer {
	const char *what;
	size_t length;
	uint32_t flags;
	int thp;
	void *addr;
	uint64_t handle;
};

static long vmstat(const char *name)
{
	char key[64];
	long value;
	FILE *f = fopen("/proc/vmstat", "re");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &value) == 2) {
		if (!strcmp(key, name)) {
			fclose(f);
			return value;
		}
	}
	fclose(f);
	return -1;
}

static long vm_pin_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * /proc/vmstat lags behind: each CPU keeps a delta of its own and folds it
 * in only past a threshold or now and then, so a read can miss the last
 * pins or unpins of a CPU. Writing vm.stat_refresh (root) folds every delta
 * first, as the test harness does; without it the figures are marked.
 */
static int vmstat_fold(void)
{
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	int ok;

	if (fd < 0)
		return 0;
	ok = write(fd, "1", 1) == 1;
	close(fd);
	return ok;
}

static void print_counters(const char *when)
{
	int exact = vmstat_fold();
	long acq = vmstat("nr_foll_pin_acquired");
	long rel = vmstat("nr_foll_pin_released");

	printf("%-14s nr_foll_pin_acquired=%ld nr_foll_pin_released=%ld outstanding=%ld VmPin=%ld kB%s\n",
	       when, acq, rel, acq - rel, vm_pin_kb(),
	       exact ? "" : " (per-CPU deltas not folded: may lag)");
}

static const char *flag_names(uint32_t flags)
{
	switch (flags & (PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM)) {
	case PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM:
		return "write,longterm";
	case PINMGR_PIN_WRITE:
		return "write";
	case PINMGR_PIN_LONGTERM:
		return "longterm";
	default:
		return "read";
	}
}

static int print_leases(int fd)
{
	struct pinmgr_list list = { .size = sizeof(list) };
	uint64_t handles[64];
	uint32_t i;

	list.handles = (uintptr_t)handles;
	list.nr_handles = 64;
	if (ioctl(fd, PINMGR_IOC_LIST, &list))
		return -errno;

	printf("%-8s %-7s %-12s %-5s %-14s %10s %7s %5s %-15s %9s %s\n",
	       "HANDLE", "PID", "COMM", "UID", "ADDRESS", "LENGTH", "PAGES",
	       "RUNS", "FLAGS", "METADATA", "COOKIE");
	for (i = 0; i < list.nr_handles; i++) {
		struct pinmgr_query q = { .size = sizeof(q),
					  .handle = handles[i] };

		if (ioctl(fd, PINMGR_IOC_QUERY, &q))
			return -errno;
		printf("%-8llu %-7u %-12s %-5u 0x%012llx %9lluK %7llu %5llu %-15s %8lluB 0x%llx\n",
		       (unsigned long long)q.handle, q.out_owner_tgid,
		       q.out_owner_comm, q.out_owner_uid,
		       (unsigned long long)q.out_addr,
		       (unsigned long long)q.out_length / 1024,
		       (unsigned long long)q.out_nr_pages,
		       (unsigned long long)q.out_nr_runs,
		       flag_names(q.out_pin_flags),
		       (unsigned long long)q.out_metadata_bytes,
		       (unsigned long long)q.out_cookie);
	}
	printf("%u of %llu leases shown\n", list.nr_handles,
	       (unsigned long long)list.out_total);
	return 0;
}

static void *map_buffer(size_t length, int thp)
{
	size_t span = thp ? length + 2 * MIB : length;
	char *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (thp) {
		/* Align to a huge page so that the range can be THP-backed. */
		char *aligned = (char *)(((uintptr_t)p + 2 * MIB - 1) &
					 ~(2 * MIB - 1));

		madvise(aligned, length, MADV_HUGEPAGE);
		p = aligned;
	}
	memset(p, 0x5a, length);
	return p;
}

int main(int argc, char **argv)
{
	struct buffer bufs[] = {
		{ .what = "anonymous 4 MiB, write+longterm",
		  .length = 4 * MIB,
		  .flags = PINMGR_PIN_WRITE | PINMGR_PIN_LONGTERM },
		{ .what = "THP 8 MiB, longterm", .length = 8 * MIB,
		  .flags = PINMGR_PIN_LONGTERM, .thp = 1 },
		{ .what = "anonymous 64 KiB, short-term read",
		  .length = 64 * 1024 },
	};
	struct pinmgr_info info = { .size = sizeof(info) };
	size_t i;
	int fd, ret;

	fd = open(PINMGR_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "pinmgr-demo: open %s: %s\n",
			PINMGR_DEVICE_PATH, strerror(errno));
		return 1;
	}
	if (ioctl(fd, PINMGR_IOC_GET_INFO, &info)) {
		fprintf(stderr, "pinmgr-demo: GET_INFO: %s\n", strerror(errno));
		return 1;
	}
	printf("pinmgr ABI %u, page size %u, limits: %llu pages/lease, %llu leases/context, %llu pages/device\n",
	       info.abi_version, info.page_size,
	       (unsigned long long)info.max_lease_pages,
	       (unsigned long long)info.max_leases,
	       (unsigned long long)info.max_device_pages);
	print_counters("before:");

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		struct pinmgr_pin pin = { .size = sizeof(pin) };

		bufs[i].addr = map_buffer(bufs[i].length, bufs[i].thp);
		if (!bufs[i].addr) {
			perror("pinmgr-demo: mmap");
			return 1;
		}
		pin.flags = bufs[i].flags;
		pin.addr = (uintptr_t)bufs[i].addr;
		pin.length = bufs[i].length;
		pin.cookie = 0xd3e0 + i;
		if (ioctl(fd, PINMGR_IOC_PIN, &pin)) {
			fprintf(stderr, "pinmgr-demo: pin %s: %s\n",
				bufs[i].what, strerror(errno));
			return 1;
		}
		bufs[i].handle = pin.out_handle;
		printf("pinned %-36s -> lease %llu (%llu pages in %llu runs)\n",
		       bufs[i].what, (unsigned long long)pin.out_handle,
		       (unsigned long long)pin.out_nr_pages,
		       (unsigned long long)pin.out_nr_runs);
	}

	printf("\nlive leases:\n");
	ret = print_leases(fd);
	if (ret) {
		fprintf(stderr, "pinmgr-demo: listing: %s\n", strerror(-ret));
		return 1;
	}
	printf("\n");
	print_counters("while pinned:");
	if (argc > 1) {
		fflush(stdout);
		ret = system(argv[1]);
		if (ret)
			fprintf(stderr, "pinmgr-demo: %s: status %d\n", argv[1], ret);
		printf("\n");
	}

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		struct pinmgr_unpin unpin = { .size = sizeof(unpin),
					      .handle = bufs[i].handle };

		if (ioctl(fd, PINMGR_IOC_UNPIN, &unpin)) {
			fprintf(stderr, "pinmgr-demo: unpin: %s\n",
				strerror(errno));
			return 1;
		}
	}
	print_counters("after unpin:");
	close(fd);
	return 0;
}
