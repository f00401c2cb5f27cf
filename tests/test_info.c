// SPDX-License-Identifier: GPL-2.0-only
/*
 * PINMGR_IOC_GET_INFO, and through it the rules every ioctl shares: the
 * size-first structure, flags, reserved fields, bad pointers and numbers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "harness.h"

/* A structure followed by bytes the kernel must neither read nor write. */
struct info_canary {
	struct pinmgr_info info;
	unsigned char tail[64];
};

TEST(info_abi_version_and_page_size)
{
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.abi_version, PINMGR_ABI_VERSION);
	ASSERT_EQ(info.page_size, pm_page_size());
	/* The input words come back as they were. */
	ASSERT_EQ(info.size, sizeof(info));
	ASSERT_EQ(info.flags, 0);
	ASSERT_EQ(info.__reserved, 0);
	close(fd);
}

TEST(info_features)
{
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.features & PINMGR_FEATURE_LONGTERM,
		  PINMGR_FEATURE_LONGTERM);
	ASSERT_EQ(info.features & PINMGR_FEATURE_WRITE, PINMGR_FEATURE_WRITE);
	ASSERT_EQ(info.features & PINMGR_FEATURE_PIN_VEC,
		  PINMGR_FEATURE_PIN_VEC);
	close(fd);
}

/* Does the running kernel have function @name (root reads the addresses)? */
static bool x_kernel_has(const char *name)
{
	char line[256], sym[128];
	bool found = false;
	FILE *f;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %127s", sym) == 1 &&
			!strcmp(sym, name);
	fclose(f);
	return found;
}

/*
 * The compile tests answer as the kernel is: the dma-buf core says which
 * importers unmap when told exactly where it has dma_buf_attach_revocable().
 */
TEST(info_feature_export_revocable_pins_follows_the_kernel)
{
	bool has = x_kernel_has("dma_buf_attach_revocable");
	struct pinmgr_info info;
	int fd = pm_open();

	if (!pm_feature(PINMGR_FEATURE_EXPORT))
		pm_skip_feature(PINMGR_FEATURE_EXPORT, "exported leases");
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	pm_diag("dma_buf_attach_revocable() %s", has ? "present" : "absent");
	ASSERT_EQ(!!(info.features & PINMGR_FEATURE_EXPORT_REVOCABLE_PINS), has);
	close(fd);
}

TEST(info_out_flags_as_root)
{
	struct pinmgr_info info;
	int fd;

	if (geteuid() != 0)
		SKIP("needs root");
	fd = pm_open();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_OWNER_MM, PINMGR_INFO_OWNER_MM);
	ASSERT_EQ(info.out_flags & PINMGR_INFO_CAP_IPC_LOCK,
		  PINMGR_INFO_CAP_IPC_LOCK);
	/* No bit beyond the two this ABI defines. */
	ASSERT_EQ(info.out_flags & ~(__u32)(PINMGR_INFO_OWNER_MM |
					    PINMGR_INFO_CAP_IPC_LOCK), 0);
	close(fd);
}

TEST(info_limits_match_module_parameters)
{
	unsigned long long lease_pages, leases, device_pages;
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_param_read("max_lease_pages", &lease_pages), 0);
	ASSERT_EQ(pm_param_read("max_leases", &leases), 0);
	ASSERT_EQ(pm_param_read("max_device_pages", &device_pages), 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.max_lease_pages, lease_pages);
	ASSERT_EQ(info.max_leases, leases);
	ASSERT_EQ(info.max_device_pages, device_pages);
	/* "0 at load: half of RAM": a loaded module never reports 0 here. */
	ASSERT_NE(info.max_device_pages, 0);
	close(fd);
}

TEST(info_usage_starts_at_zero)
{
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.ctx_leases, 0);
	ASSERT_EQ(info.ctx_pinned_pages, 0);
	ASSERT_EQ(info.device_leases, 0);
	ASSERT_EQ(info.device_pinned_pages, 0);
	ASSERT_EQ(info.mm_pinned_pages, 0);
	ASSERT_EQ(pm_vmpin_kb(), 0);
	close(fd);
}

TEST(info_memlock_limit_follows_rlimit)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	if (geteuid() != 0)
		SKIP("raising RLIMIT_MEMLOCK needs root");
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.memlock_limit_pages, ~0ULL);

	/* The caller's current limit, read at each call, in pages. */
	rl.rlim_cur = rl.rlim_max = 1 << 20;
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.memlock_limit_pages, (1 << 20) / pm_page_size());

	rl.rlim_cur = 3 * pm_page_size() + 100;	/* rounds down */
	ASSERT_EQ(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	ASSERT_EQ(pm_get_info(fd, &info), 0);
	ASSERT_EQ(info.memlock_limit_pages, 3);
	close(fd);
}

TEST(info_input_values_of_outputs_ignored)
{
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	memset(&info, 0x5a, sizeof(info));
	info.size = sizeof(info);
	info.flags = 0;
	info.__reserved = 0;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_INFO, &info), 0);
	ASSERT_EQ(info.abi_version, PINMGR_ABI_VERSION);
	ASSERT_EQ(info.page_size, pm_page_size());
	ASSERT_EQ(info.ctx_leases, 0);
	ASSERT_EQ(info.ctx_pinned_pages, 0);
	ASSERT_EQ(info.device_leases, 0);
	ASSERT_EQ(info.device_pinned_pages, 0);
	ASSERT_EQ(info.mm_pinned_pages, 0);
	close(fd);
}

TEST(info_size_too_short_einval)
{
	static const __u32 sizes[] = {
		0, 4, 8, 16, offsetof(struct pinmgr_info, device_pinned_pages),
		/* One byte short of the first version. */
		PM_INFO_SIZE_V1 - 1,
	};
	struct pinmgr_info info;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizes[i];
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, &info), EINVAL);
		/* Nothing was written back. */
		ASSERT_EQ(info.abi_version, 0);
	}
	close(fd);
}

TEST(info_zero_tail_accepted_and_untouched)
{
	struct info_canary buf;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	memset(&buf, 0, sizeof(buf));
	buf.info.size = sizeof(buf);
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_INFO, &buf), 0);
	ASSERT_EQ(buf.info.abi_version, PINMGR_ABI_VERSION);
	ASSERT_EQ(buf.info.page_size, pm_page_size());
	/* The kernel writes only up to its own structure's size. */
	for (i = 0; i < sizeof(buf.tail); i++)
		ASSERT_EQ(buf.tail[i], 0);
	close(fd);
}

TEST(info_nonzero_tail_e2big)
{
	struct info_canary buf;
	unsigned int pos[] = { 0, 7, sizeof(buf.tail) - 1 };
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	for (i = 0; i < ARRAY_SIZE(pos); i++) {
		memset(&buf, 0, sizeof(buf));
		buf.info.size = sizeof(buf);
		buf.tail[pos[i]] = 1;
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, &buf), E2BIG);
		ASSERT_EQ(buf.info.abi_version, 0);
	}
	close(fd);
}

TEST(info_unknown_flags_eopnotsupp)
{
	static const __u32 flags[] = { 1, 2, 0x80000000u, 0xffffffffu };
	struct pinmgr_info info;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.flags = flags[i];
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, &info), EOPNOTSUPP);
	}
	close(fd);
}

TEST(info_reserved_nonzero_einval)
{
	static const __u32 vals[] = { 1, 0x100, 0x80000000u };
	struct pinmgr_info info;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.__reserved = vals[i];
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, &info), EINVAL);
	}
	close(fd);
}

TEST(info_null_arg_efault)
{
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, NULL), EFAULT);
	close(fd);
}

TEST(info_kernel_address_arg_efault)
{
	static const unsigned long addrs[] = {
		0xffff800000000000ul, 0xffffffff81000000ul, 0xfffffffffffff000ul,
	};
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	for (i = 0; i < ARRAY_SIZE(addrs); i++)
		ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, addrs[i]), EFAULT);
	close(fd);
}

TEST(info_unmapped_arg_efault)
{
	size_t ps = pm_page_size();
	void *p = pm_map_anon(ps);
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	ASSERT_EQ(munmap(p, ps), 0);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, p), EFAULT);
	close(fd);
}

/* The reply cannot be written: the call must say so. */
TEST(info_readonly_arg_efault)
{
	size_t ps = pm_page_size();
	struct pinmgr_info *info = pm_map_anon(ps);
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(info, NULL);
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	ASSERT_EQ(mprotect(info, ps, PROT_READ), 0);
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, info), EFAULT);
	pm_unmap(info, ps);
	close(fd);
}

/*
 * A structure that ends exactly at a page whose successor is inaccessible
 * works; claiming a larger size makes the kernel read into that page.
 */
TEST(info_struct_at_page_end)
{
	size_t ps = pm_page_size();
	struct pinmgr_info *info;
	char *p = pm_map_anon(2 * ps);
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	ASSERT_NE(p, NULL);
	ASSERT_EQ(mprotect(p + ps, ps, PROT_NONE), 0);
	info = (struct pinmgr_info *)(p + ps - sizeof(*info));
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_INFO, info), 0);
	ASSERT_EQ(info->abi_version, PINMGR_ABI_VERSION);

	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info) + 8;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, info), EFAULT);
	/* Over PINMGR_STRUCT_SIZE_MAX: refused before anything is read. */
	info->size = 0xffffffffu;
	ASSERT_ERRNO(ioctl(fd, PINMGR_IOC_GET_INFO, info), E2BIG);
	pm_unmap(p, 2 * ps);
	close(fd);
}

TEST(info_no_write_beyond_size)
{
	struct info_canary buf;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	/* Garbage in the output fields too: they are outputs only. */
	memset(&buf, 0xa5, sizeof(buf));
	buf.info.size = sizeof(buf.info);
	buf.info.flags = 0;
	buf.info.__reserved = 0;
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_INFO, &buf), 0);
	ASSERT_EQ(buf.info.abi_version, PINMGR_ABI_VERSION);
	ASSERT_EQ(buf.info.device_pinned_pages, 0);
	for (i = 0; i < sizeof(buf.tail); i++)
		ASSERT_EQ(buf.tail[i], 0xa5);
	close(fd);
}

TEST(info_unknown_ioctl_nr_enotty)
{
	/* Far above the commands this ABI defines (0x00 to 0x07). */
	static const unsigned int nrs[] = { 0x40, 0x7f, 0x80, 0xfe, 0xff };
	struct info_canary buf;
	unsigned int i;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		memset(&buf, 0, sizeof(buf));
		buf.info.size = sizeof(buf.info);
		errno = 0;
		if (ioctl(fd, _IO(PINMGR_TYPE, nrs[i]), &buf) != -1 ||
		    errno != ENOTTY)
			FAIL("ioctl nr 0x%x expected ENOTTY got %s", nrs[i],
			     strerror(errno));
		/* Nothing was read as a command, nothing written back. */
		ASSERT_EQ(buf.info.abi_version, 0);
	}
	close(fd);
}

TEST(info_wrong_ioctl_type_enotty)
{
	struct pinmgr_info info;
	int fd = pm_open();

	ASSERT_GE(fd, 0);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	ASSERT_ERRNO(ioctl(fd, _IO(PINMGR_TYPE + 1, PINMGR_CMD_GET_INFO),
			   &info), ENOTTY);
	ASSERT_ERRNO(ioctl(fd, _IO(0x00, PINMGR_CMD_GET_INFO), &info),
		     ENOTTY);
	/* Right type and number, but not the encoding the ABI defines. */
	ASSERT_ERRNO(ioctl(fd, _IOWR(PINMGR_TYPE, PINMGR_CMD_GET_INFO,
				     struct pinmgr_info), &info), ENOTTY);
	ASSERT_ERRNO(ioctl(fd, _IOR(PINMGR_TYPE, PINMGR_CMD_LIST,
				    struct pinmgr_list), &info), ENOTTY);
	ASSERT_EQ(info.abi_version, 0);
	/* The real one still works on the same file. */
	ASSERT_EQ(ioctl(fd, PINMGR_IOC_GET_INFO, &info), 0);
	close(fd);
}

TEST(info_each_open_is_a_context)
{
	struct pinmgr_info a, b;
	size_t ps = pm_page_size();
	char *p = pm_map_anon(3 * ps);
	int fd1 = pm_open(), fd2 = pm_open();
	__u64 h1, h2;

	ASSERT_GE(fd1, 0);
	ASSERT_GE(fd2, 0);
	ASSERT_NE(p, NULL);
	h1 = PIN_OK(fd1, p, ps, 0);
	h2 = PIN_OK(fd2, p + ps, 2 * ps, 0);

	ASSERT_EQ(pm_get_info(fd1, &a), 0);
	ASSERT_EQ(pm_get_info(fd2, &b), 0);
	ASSERT_EQ(a.ctx_leases, 1);
	ASSERT_EQ(a.ctx_pinned_pages, 1);
	ASSERT_EQ(b.ctx_leases, 1);
	ASSERT_EQ(b.ctx_pinned_pages, 2);
	ASSERT_EQ(a.device_leases, 2);
	ASSERT_EQ(a.device_pinned_pages, 3);
	ASSERT_EQ(b.device_leases, 2);
	ASSERT_EQ(b.device_pinned_pages, 3);
	/* Both contexts charge the same mm. */
	ASSERT_EQ(a.mm_pinned_pages, 3);
	ASSERT_EQ(b.mm_pinned_pages, 3);

	ASSERT_EQ(pm_unpin(fd1, h1), 0);
	ASSERT_EQ(pm_get_info(fd2, &b), 0);
	ASSERT_EQ(b.device_leases, 1);
	ASSERT_EQ(b.device_pinned_pages, 2);
	ASSERT_EQ(b.mm_pinned_pages, 2);
	ASSERT_EQ(pm_unpin(fd2, h2), 0);
	close(fd1);
	close(fd2);
	pm_unmap(p, 3 * ps);
}
