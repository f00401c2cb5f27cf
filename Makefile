# SPDX-License-Identifier: GPL-2.0-only
#
# pinmgr — top-level targets:
#   make run       boot a VM with the driver, pin memory, show the live pins
#   make check     every test, on every kernel of KERNELS, with a summary line
#   make bench     the benchmark on BENCH_KERNEL (default: perf) into build/bench
#   make bench-profile  perf profiles of one page's PIN+UNPIN, io_uring's
#                  register+unregister and two null system calls on
#                  BENCH_KERNEL, into build/bench/profile.txt
#   make user      user-space build outputs (tests, demo, bench) into build/user
#   make module KDIR=... KNAME=... [KROOT=...]   pinmgr.ko for one kernel
#   make deps      install the Debian packages the project needs
#   make lib       libpinctl (shared, static, pkg-config file) and pinctl
#   make install-lib install-cli [PREFIX=/usr/local] [DESTDIR=]
#   make install   [PREFIX=/usr/local] [DESTDIR=] [LIBDIR= SBINDIR= ...]
#                  library, headers, pinctl, man pages, completion, udev
#                  rule, metrics units, DKMS source, examples
#   make uninstall the same variables: removes what make install installed
#   make deb       the Debian packages (pinmgr-dkms, libpinctl0,
#                  libpinctl-dev, pinctl) into build/deb
#   make abi-baseline   write libpinctl/abi/libpinctl.abi from today's build

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

TEST_SRCS := $(sort $(wildcard tests/harness.c tests/nl_client.c tests/fuse_stall.c \
	tests/test_*.c))
TEST_HDRS := $(wildcard tests/*.h) uapi/linux/pinmgr.h uapi/linux/pinmgr_netlink.h
# The netlink tests speak to the family with libnl, as any client would.
TEST_LIBS := libnl-genl-3.0
GUEST_SCRIPTS := $(wildcard tests/vm/guest-*.sh)
BENCH_SRCS := $(sort $(wildcard tests/bench/*.c))
BENCH_HDRS := $(wildcard tests/bench/*.h) uapi/linux/pinmgr.h \
	      uapi/linux/pinmgr_netlink.h
BENCH_LIBS := json-c liburing libnl-genl-3.0

# ---- libpinctl and pinctl ------------------------------------------------
# The shared library goes where run-vm copies it into the VM
# (build/user/lib, on the guest's LD_LIBRARY_PATH); the static library and
# the pkg-config file stay in build/libpinctl. Programs built here find the
# library through RUNPATH $ORIGIN/../lib.
LIB_VERSION := 0.1.0
LIB_SONAME := libpinctl.so.0
LIB_OUT := $(BUILD)/libpinctl
LIB_SRCS := $(sort $(wildcard libpinctl/*.c))
LIB_HDRS := libpinctl/libpinctl.h libpinctl/libpinctl-private.h \
	uapi/linux/pinmgr.h uapi/linux/pinmgr_netlink.h
LIB_DEPS := libnl-genl-3.0 libkmod
LIB_OBJS := $(patsubst libpinctl/%.c,$(LIB_OUT)/%.o,$(LIB_SRCS))
LIB_SO := $(USER_OUT)/lib/libpinctl.so.$(LIB_VERSION)
LIB_A := $(LIB_OUT)/libpinctl.a
LIB_PC := $(LIB_OUT)/libpinctl.pc
USER_RPATH := -Wl,-rpath,'$$ORIGIN/../lib'
LINK_LIB := -L$(USER_OUT)/lib -lpinctl $(USER_RPATH)
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI_HDRS := $(wildcard cli/*.h) libpinctl/libpinctl.h
LIBTEST_SRCS := tests/harness.c $(sort $(wildcard tests/lib/*.c tests/cli/*.c))
LIBTEST_HDRS := tests/harness.h $(wildcard tests/lib/*.h tests/cli/*.h) \
	libpinctl/libpinctl.h

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
LIBEXECDIR ?= $(PREFIX)/libexec
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
DOCDIR ?= $(DATADIR)/doc/pinmgr
# DKMS looks for sources in /usr/src only.
DKMSDIR ?= /usr/src
# udev and systemd read /usr/lib (and /lib), /etc and /run only: under any
# other prefix the rule and the units go to /etc.
ifeq ($(PREFIX),/usr)
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
else
UDEVRULESDIR ?= /etc/udev/rules.d
SYSTEMDUNITDIR ?= /etc/systemd/system
endif
DESTDIR ?=
# The version of the module's DKMS source and of the packages: the
# library's (packaging/debian/changelog must agree; tests/pkg checks it).
PKG_VERSION := $(LIB_VERSION)
LDFLAGS ?=

all: user

lib: $(LIB_SO) $(LIB_A) $(LIB_PC) $(USER_OUT)/bin/pinctl

$(LIB_OUT)/%.o: libpinctl/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden \
		$$(pkg-config --cflags $(LIB_DEPS)) -c $< -o $@

$(LIB_SO): $(LIB_OBJS) libpinctl/libpinctl.sym
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(LIB_SONAME) \
		-Wl,--version-script=libpinctl/libpinctl.sym -Wl,--no-undefined \
		-Wl,-z,relro -Wl,-z,now $(LDFLAGS) $(LIB_OBJS) -o $@ \
		$$(pkg-config --libs $(LIB_DEPS)) -lpthread
	@# Not executable: run-vm runs ldd on executables, and ldd names each
	@# file it is given with a colon, which it would take for a library.
	chmod 0644 $@
	ln -sf libpinctl.so.$(LIB_VERSION) $(USER_OUT)/lib/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(USER_OUT)/lib/libpinctl.so

$(LIB_A): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(LIB_PC): libpinctl/libpinctl.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(LIB_VERSION)|' $< >$@

$(USER_OUT)/bin/pinctl: $(CLI_SRCS) $(CLI_HDRS) $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) -Ilibpinctl $$(pkg-config --cflags json-c) \
		$(LDFLAGS) $(CLI_SRCS) -o $@ $(LINK_LIB) $$(pkg-config --libs json-c)

# The library's and the command's tests, run in the VM after pinmgr-tests.
$(USER_OUT)/bin/pinctl-tests: $(LIBTEST_SRCS) $(LIBTEST_HDRS) $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) -Itests -Itests/lib -Ilibpinctl \
		$$(pkg-config --cflags json-c) $(LIBTEST_SRCS) -o $@ \
		$(LINK_LIB) $$(pkg-config --libs json-c) -lpthread

# The real depmod (kmod's), so that the module tests can index a module
# directory in the VM as a machine's packages do; busybox's writes no
# modules.dep.bin, which libkmod needs.
$(USER_OUT)/libexec/depmod: $(shell command -v kmod)
	@mkdir -p $(dir $@)
	cp $< $@

install-lib: $(LIB_SO) $(LIB_A) $(LIB_PC)
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)/linux \
		$(DESTDIR)$(MANDIR)/man3
	install -m 0644 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libpinctl.so.$(LIB_VERSION) $(DESTDIR)$(LIBDIR)/$(LIB_SONAME)
	ln -sf $(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libpinctl.so
	install -m 0644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(LIB_VERSION)|' libpinctl/libpinctl.pc.in \
		>$(DESTDIR)$(LIBDIR)/pkgconfig/libpinctl.pc
	install -m 0644 libpinctl/libpinctl.h $(DESTDIR)$(INCLUDEDIR)/
	@# The ABI headers, for programs that speak to /dev/pinmgr or the
	@# netlink family directly: #include <linux/pinmgr.h>.
	install -m 0644 uapi/linux/pinmgr.h uapi/linux/pinmgr_netlink.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/
	install -m 0644 libpinctl/man/*.3 $(DESTDIR)$(MANDIR)/man3/

install-cli: $(USER_OUT)/bin/pinctl
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 0755 $(USER_OUT)/bin/pinctl $(DESTDIR)$(SBINDIR)/
	install -m 0644 cli/pinctl.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 cli/pinctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/pinctl

# ---- installing on a machine (packaging/, README "Installing on a real
# machine") ------------------------------------------------------------
# The driver's source as DKMS wants it: $(DKMSDIR)/pinmgr-VERSION with
# dkms.conf, driver/ and uapi/ (the build includes ../uapi).
DKMS_SRC := $(DKMSDIR)/pinmgr-$(PKG_VERSION)
SUBST := sed -e 's|@VERSION@|$(PKG_VERSION)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
	-e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g'

install-dkms:
	install -d $(DESTDIR)$(DKMS_SRC)/driver/conftest $(DESTDIR)$(DKMS_SRC)/uapi/linux
	$(SUBST) packaging/dkms/dkms.conf >$(DESTDIR)$(DKMS_SRC)/dkms.conf
	install -m 0644 driver/Kbuild driver/Makefile driver/*.[ch] \
		$(DESTDIR)$(DKMS_SRC)/driver/
	install -m 0755 driver/conftest.sh $(DESTDIR)$(DKMS_SRC)/driver/
	install -m 0644 driver/conftest/*.c $(DESTDIR)$(DKMS_SRC)/driver/conftest/
	install -m 0644 uapi/linux/*.h $(DESTDIR)$(DKMS_SRC)/uapi/linux/
	@# A tree where conftest.h was generated for another kernel must not
	@# be shipped: the Makefile regenerates it only when older than its
	@# inputs.
	rm -f $(DESTDIR)$(DKMS_SRC)/driver/conftest.h

install-system:
	install -d $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSTEMDUNITDIR) \
		$(DESTDIR)$(LIBEXECDIR)/pinctl $(DESTDIR)$(DOCDIR)/examples
	install -m 0644 packaging/udev/60-pinmgr.rules $(DESTDIR)$(UDEVRULESDIR)/
	install -m 0755 packaging/systemd/pinctl-metrics $(DESTDIR)$(LIBEXECDIR)/pinctl/
	$(SUBST) packaging/systemd/pinctl-metrics.service \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/pinctl-metrics.service
	install -m 0644 packaging/systemd/pinctl-metrics.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
	install -m 0644 packaging/examples/modules-load.d-pinmgr.conf \
		packaging/examples/modprobe.d-pinmgr.conf $(DESTDIR)$(DOCDIR)/examples/

install: install-lib install-cli install-dkms install-system

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libpinctl.so.$(LIB_VERSION) \
		$(DESTDIR)$(LIBDIR)/$(LIB_SONAME) $(DESTDIR)$(LIBDIR)/libpinctl.so \
		$(DESTDIR)$(LIBDIR)/libpinctl.a $(DESTDIR)$(LIBDIR)/pkgconfig/libpinctl.pc \
		$(DESTDIR)$(INCLUDEDIR)/libpinctl.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/pinmgr.h \
		$(DESTDIR)$(INCLUDEDIR)/linux/pinmgr_netlink.h \
		$(patsubst libpinctl/man/%,$(DESTDIR)$(MANDIR)/man3/%,$(wildcard libpinctl/man/*.3)) \
		$(DESTDIR)$(SBINDIR)/pinctl $(DESTDIR)$(MANDIR)/man8/pinctl.8 \
		$(DESTDIR)$(BASHCOMPDIR)/pinctl \
		$(DESTDIR)$(UDEVRULESDIR)/60-pinmgr.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/pinctl-metrics.service \
		$(DESTDIR)$(SYSTEMDUNITDIR)/pinctl-metrics.timer \
		$(DESTDIR)$(LIBEXECDIR)/pinctl/pinctl-metrics
	rm -rf $(DESTDIR)$(DKMS_SRC) $(DESTDIR)$(DOCDIR)/examples
	rmdir $(DESTDIR)$(LIBEXECDIR)/pinctl $(DESTDIR)$(DOCDIR) 2>/dev/null || true

deb:
	tests/pkg/build-debs.sh $(BUILD)/deb

abi-baseline: $(LIB_SO)
	@mkdir -p libpinctl/abi
	abidw --no-corpus-path --headers-dir libpinctl $(LIB_SO) \
		>libpinctl/abi/libpinctl.abi

deps:
	tests/vm/install-deps.sh

user: $(USER_OUT)/bin/pinmgr-tests $(USER_OUT)/bin/pinmgr-demo \
      $(USER_OUT)/bin/pinmgr-bench \
      $(LIB_SO) $(USER_OUT)/bin/pinctl $(USER_OUT)/bin/pinctl-tests \
      $(USER_OUT)/libexec/depmod \
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

bench-profile:
	tests/bench/run-profile.sh -k $(BENCH_KERNEL)

clean:
	rm -rf $(BUILD)

.PHONY: all deps user lib install-lib install-cli install-dkms install-system \
	install uninstall deb abi-baseline module run check bench bench-profile clean
