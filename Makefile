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
#
# This file holds what every part shares; each part's rules are in mk/
# (listed at the bottom).

KERNELS ?= 5.10 6.1 6.12 6.12-rt sid experimental debug
RUN_KERNEL ?= 6.12

BUILD := build
USER_OUT := $(BUILD)/user

CC ?= gcc
CFLAGS ?= -O2 -g
LDFLAGS ?=
PM_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Iuapi
# Every header under uapi/: the ABI (linux/) and the tables the driver, the
# library and pinctl all expand (pinmgr_tables.h). User-space objects
# depend on all of them.
UAPI_HDRS := $(wildcard uapi/*.h uapi/linux/*.h)

# The library's version, also the module's DKMS source's and the packages'
# (packaging/debian/changelog must agree; tests/pkg reads this line).
LIB_VERSION := 0.1.0
PKG_VERSION := $(LIB_VERSION)

# ---- where `make install` puts things ------------------------------------
# Shared by the install list (mk/install.mk) and the files generated with
# these paths in them (libpinctl.pc, dkms.conf, the metrics service).
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

# The default goal, before any fragment names a target.
all: user

# The README's two commands.
run:
	tests/vm/run-vm -k $(RUN_KERNEL) -- sh /pinmgr/bin/guest-demo.sh

check:
	tests/check.sh $(KERNELS)

clean:
	rm -rf $(BUILD)

# The install paths as last used. The files generated with them in
# (libpinctl.pc, dkms.conf, the metrics service) depend on this record,
# which is rewritten only when a path changes: `make install PREFIX=/usr`
# after a build for /usr/local remakes those files, and nothing else.
INSTALL_PATHS := $(BUILD)/install/paths
INSTALL_PATHS_NOW := $(PREFIX) $(LIBDIR) $(SBINDIR) $(LIBEXECDIR) $(PKG_VERSION)
$(INSTALL_PATHS): FORCE
	@mkdir -p $(dir $@)
	@echo '$(INSTALL_PATHS_NOW)' | cmp -s - $@ || echo '$(INSTALL_PATHS_NOW)' >$@

# Remade on every run: the record above is compared each time.
FORCE:

.PHONY: all run check clean FORCE

# Prerequisites are expanded as they are read: a fragment may name in them
# the variables of the fragments above it (the library's and pinctl's
# paths, the driver's source list), not those below.
include mk/lib.mk         # libpinctl: .so, .a, .pc, abi-baseline
include mk/cli.mk         # pinctl
include mk/module.mk      # pinmgr.ko per kernel, the driver's source list
include mk/tests.mk       # build/user: test programs, demo, guest scripts; deps
include mk/bench.mk       # pinmgr-bench, make bench, make bench-profile
include mk/install.mk     # the install list: install-*, uninstall
include mk/deb.mk         # the Debian packages
