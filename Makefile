# SPDX-License-Identifier: GPL-2.0-only
#
# pinmgr — top-level targets:
#   make run       boot a VM with the driver, pin memory, show the live pins
#   make check     every test, on every kernel of KERNELS, with a summary line
#   make bench     the benchmark on BENCH_KERNEL (default: perf) into build/bench
#   make user      user-space build outputs (tests, demo, bench) into build/user
#   make module KDIR=... KNAME=... [KROOT=...]   pinmgr.ko for one kernel
#   make deps      install the Debian packages the project needs

KERNELS ?= 6.1 6.12 sid debug
RUN_KERNEL ?= 6.12
# The kernel `make bench` boots, and extra pinmgr-bench arguments
# (e.g. BENCH_ARGS=--quick).
BENCH_KERNEL ?= perf
BENCH_ARGS ?=

BUILD := build
USER_OUT := $(BUILD)/user

CC ?= gcc
CFLAGS ?= -O2 -g
PM_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Iuapi

TEST_SRCS := $(sort $(wildcard tests/harness.c tests/nl_client.c tests/test_*.c))
TEST_HDRS := $(wildcard tests/*.h) uapi/linux/pinmgr.h uapi/linux/pinmgr_netlink.h
# The netlink tests speak to the family with libnl, as any client would.
TEST_LIBS := libnl-genl-3.0
GUEST_SCRIPTS := $(wildcard tests/vm/guest-*.sh)
BENCH_SRCS := $(sort $(wildcard tests/bench/*.c))
BENCH_HDRS := $(wildcard tests/bench/*.h) uapi/linux/pinmgr.h \
	      uapi/linux/pinmgr_netlink.h
BENCH_LIBS := json-c liburing libnl-genl-3.0

all: user

deps:
	tests/vm/install-deps.sh

user: $(USER_OUT)/bin/pinmgr-tests $(USER_OUT)/bin/pinmgr-demo \
      $(USER_OUT)/bin/pinmgr-bench \
      $(patsubst tests/vm/%,$(USER_OUT)/bin/%,$(GUEST_SCRIPTS))

$(USER_OUT)/bin/pinmgr-tests: $(TEST_SRCS) $(TEST_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) -Itests $$(pkg-config --cflags $(TEST_LIBS)) \
		$(TEST_SRCS) -o $@ $$(pkg-config --libs $(TEST_LIBS)) -lpthread

$(USER_OUT)/bin/pinmgr-demo: tests/demo/pinmgr-demo.c uapi/linux/pinmgr.h
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) $< -o $@

$(USER_OUT)/bin/pinmgr-bench: $(BENCH_SRCS) $(BENCH_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) $$(pkg-config --cflags $(BENCH_LIBS)) \
		$(BENCH_SRCS) -o $@ $$(pkg-config --libs $(BENCH_LIBS)) -lpthread

$(USER_OUT)/bin/%.sh: tests/vm/%.sh
	@mkdir -p $(dir $@)
	install -m 0755 $< $@

# The driver is built in a copy per kernel, so that kernels never share
# objects or the generated conftest.h. KCFLAGS=-Werror keeps W=1 clean.
# KROOT: the build root of a Debian kernel (tests/vm/kernel.sh), whose
# compiler is the one that kernel was built with.
module:
	@test -n "$(KDIR)" -a -n "$(KNAME)" || \
		{ echo "make module needs KDIR= and KNAME= (and KROOT= for a root)"; exit 2; }
	@mkdir -p $(BUILD)/modules/$(KNAME)/src
	cp -a driver uapi $(BUILD)/modules/$(KNAME)/src/
	$(if $(KROOT),tests/vm/in-root.sh $(KROOT)) \
		make -C $(BUILD)/modules/$(KNAME)/src/driver KDIR=$(KDIR) W=1 \
		KCFLAGS=-Werror
	cp $(BUILD)/modules/$(KNAME)/src/driver/pinmgr.ko \
		$(BUILD)/modules/$(KNAME)/pinmgr.ko

run:
	tests/vm/run-vm -k $(RUN_KERNEL) -- sh /pinmgr/bin/guest-demo.sh

check:
	tests/check.sh $(KERNELS)

bench:
	tests/bench/run-bench.sh -k $(BENCH_KERNEL) -- $(BENCH_ARGS)

clean:
	rm -rf $(BUILD)

.PHONY: all deps user module run check bench clean
