# SPDX-License-Identifier: GPL-2.0-only
#
# The benchmark: pinmgr-bench (part of build/user), make bench and
# make bench-profile.

# The kernel `make bench` boots, and extra pinmgr-bench arguments
# (e.g. BENCH_ARGS=--quick).
BENCH_KERNEL ?= perf
BENCH_ARGS ?=

BENCH_SRCS := $(sort $(wildcard tests/bench/*.c))
BENCH_HDRS := $(wildcard tests/bench/*.h tests/importer/*.h) $(UAPI_HDRS)
BENCH_LIBS := json-c liburing libnl-genl-3.0

# libpinctl for the census's row (census.c), found as pinctl-tests finds it.
$(USER_OUT)/bin/pinmgr-bench: $(BENCH_SRCS) $(BENCH_HDRS) libpinctl/libpinctl.h \
		$(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) -Ilibpinctl \
		$$(pkg-config --cflags $(BENCH_LIBS)) $(BENCH_SRCS) -o $@ \
		$(LINK_LIB) $$(pkg-config --libs $(BENCH_LIBS)) -lpthread

bench:
	tests/bench/run-bench.sh -k $(BENCH_KERNEL) -- $(BENCH_ARGS)

bench-profile:
	tests/bench/run-profile.sh -k $(BENCH_KERNEL)

.PHONY: bench bench-profile
