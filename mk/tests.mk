# SPDX-License-Identifier: GPL-2.0-only
#
# build/user, which run-vm copies into every VM as /pinmgr: the C suite,
# the library's and pinctl's tests, the demo, the bench (mk/bench.mk), the
# guest scripts and kmod's depmod; and `make deps`, the host's packages.

TEST_SRCS := $(sort $(wildcard tests/harness.c tests/nl_client.c tests/fuse_stall.c \
	tests/test_*.c))
TEST_HDRS := $(wildcard tests/*.h tests/importer/*.h) $(UAPI_HDRS)
# The netlink tests speak to the family with libnl, as any client would;
# the export tests speak DRM's ioctls with libdrm's copy of its uapi.
TEST_LIBS := libnl-genl-3.0
TEST_CFLAGS_ONLY := libdrm
LIBTEST_SRCS := tests/harness.c $(sort $(wildcard tests/lib/*.c tests/cli/*.c))
LIBTEST_HDRS := tests/harness.h $(wildcard tests/lib/*.h tests/cli/*.h) \
	libpinctl/libpinctl.h $(UAPI_HDRS)
# The census tests hold io_uring rings with registered buffers, and RDMA
# memory regions on a Soft-RoCE device made through libnl (rdma_scene.c).
LIBTEST_LIBS := json-c liburing libibverbs libnl-3.0
GUEST_SCRIPTS := $(wildcard tests/vm/guest-*.sh)

# pinmgr-bench is defined in mk/bench.mk, included after this file.
user: $(USER_OUT)/bin/pinmgr-tests $(USER_OUT)/bin/pinmgr-demo \
      $(USER_OUT)/bin/pinmgr-bench \
      $(LIB_SO) $(PINCTL) $(USER_OUT)/bin/pinctl-tests \
      $(USER_OUT)/libexec/depmod \
      $(patsubst tests/vm/%,$(USER_OUT)/bin/%,$(GUEST_SCRIPTS))

$(USER_OUT)/bin/pinmgr-tests: $(TEST_SRCS) $(TEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) -Itests \
		$$(pkg-config --cflags $(TEST_LIBS) $(TEST_CFLAGS_ONLY)) \
		$(TEST_SRCS) -o $@ $$(pkg-config --libs $(TEST_LIBS)) -lpthread

$(USER_OUT)/bin/pinmgr-demo: tests/demo/pinmgr-demo.c uapi/linux/pinmgr.h
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) $< -o $@

# The library's and the command's tests, run in the VM after pinmgr-tests.
$(USER_OUT)/bin/pinctl-tests: $(LIBTEST_SRCS) $(LIBTEST_HDRS) $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) -Itests -Itests/lib -Ilibpinctl \
		$$(pkg-config --cflags $(LIBTEST_LIBS)) $(LIBTEST_SRCS) -o $@ \
		$(LINK_LIB) $$(pkg-config --libs $(LIBTEST_LIBS)) -lpthread

# The real depmod (kmod's), so that the module tests can index a module
# directory in the VM as a machine's packages do; busybox's writes no
# modules.dep.bin, which libkmod needs.
$(USER_OUT)/libexec/depmod: $(shell command -v kmod)
	@mkdir -p $(dir $@)
	cp $< $@

$(USER_OUT)/bin/%.sh: tests/vm/%.sh
	@mkdir -p $(dir $@)
	install -m 0755 $< $@

deps:
	tests/vm/install-deps.sh

.PHONY: user deps
