# SPDX-License-Identifier: GPL-2.0-only
#
# make install and make uninstall (README "Installing on a real machine";
# the Debian packages run make install too). Every installed file is one
# entry of the lists below; the install commands, their prerequisites and
# uninstall are all derived from these lists, so they cannot drift apart.
#
# An entry is MODE|SOURCE|DESTINATION (no spaces: make splits lists on
# them). DESTINATION is the full path without $(DESTDIR). MODE is given to
# install -m, or is "link": DESTINATION becomes a symbolic link whose text
# is SOURCE.

# $(call into,MODE,FILES,DIR): each of FILES under its own name in DIR.
into = $(foreach f,$2,$1|$f|$3/$(notdir $f))

# Files whose text names the install paths are generated here, remade when
# a path changes ($(INSTALL_PATHS), in the top Makefile), and installed like
# any other file.
INSTALL_GEN := $(BUILD)/install
SUBST := sed -e 's|@VERSION@|$(PKG_VERSION)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
	-e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g'

$(INSTALL_GEN)/dkms.conf: packaging/dkms/dkms.conf $(INSTALL_PATHS)
	@mkdir -p $(dir $@)
	$(SUBST) $< >$@

$(INSTALL_GEN)/pinctl-metrics.service: packaging/systemd/pinctl-metrics.service \
		$(INSTALL_PATHS)
	@mkdir -p $(dir $@)
	$(SUBST) $< >$@

# ---- the install list ------------------------------------------------------

# make install-lib: the library, its pkg-config file, headers and pages.
# Only the ABI headers are public (#include <linux/pinmgr.h>): not
# uapi/pinmgr_tables.h.
INSTALL_LIB := \
	0644|$(LIB_SO)|$(LIBDIR)/libpinctl.so.$(LIB_VERSION) \
	link|libpinctl.so.$(LIB_VERSION)|$(LIBDIR)/$(LIB_SONAME) \
	link|$(LIB_SONAME)|$(LIBDIR)/libpinctl.so \
	0644|$(LIB_A)|$(LIBDIR)/libpinctl.a \
	0644|$(LIB_PC)|$(LIBDIR)/pkgconfig/libpinctl.pc \
	0644|libpinctl/libpinctl.h|$(INCLUDEDIR)/libpinctl.h \
	$(call into,0644,uapi/linux/pinmgr.h uapi/linux/pinmgr_netlink.h,$(INCLUDEDIR)/linux) \
	$(call into,0644,$(sort $(wildcard libpinctl/man/*.3)),$(MANDIR)/man3)

# make install-cli: pinctl, its page and its completion.
INSTALL_CLI := \
	0755|$(PINCTL)|$(SBINDIR)/pinctl \
	0644|cli/pinctl.8|$(MANDIR)/man8/pinctl.8 \
	0644|cli/pinctl.bash-completion|$(BASHCOMPDIR)/pinctl

# make install-dkms: the driver's source as DKMS wants it,
# $(DKMSDIR)/pinmgr-VERSION with dkms.conf, driver/ and uapi/ (the build
# includes ../uapi). The lists of sources are mk/module.mk's.
DKMS_SRC := $(DKMSDIR)/pinmgr-$(PKG_VERSION)
INSTALL_DKMS := \
	0644|$(INSTALL_GEN)/dkms.conf|$(DKMS_SRC)/dkms.conf \
	$(call into,0644,$(DRIVER_SRCS),$(DKMS_SRC)/driver) \
	0755|$(DRIVER_CONFTEST_SH)|$(DKMS_SRC)/$(DRIVER_CONFTEST_SH) \
	$(call into,0644,$(DRIVER_CONFTESTS),$(DKMS_SRC)/driver/conftest) \
	$(call into,0644,$(DRIVER_UAPI_HDRS),$(DKMS_SRC)/uapi/linux) \
	0644|$(DRIVER_TABLES_HDR)|$(DKMS_SRC)/$(DRIVER_TABLES_HDR)

# make install-system: the udev rule, the metrics service, timer and
# writer, the examples for modules-load.d and modprobe.d.
INSTALL_SYSTEM := \
	0644|packaging/udev/60-pinmgr.rules|$(UDEVRULESDIR)/60-pinmgr.rules \
	0755|packaging/systemd/pinctl-metrics|$(LIBEXECDIR)/pinctl/pinctl-metrics \
	0644|$(INSTALL_GEN)/pinctl-metrics.service|$(SYSTEMDUNITDIR)/pinctl-metrics.service \
	0644|packaging/systemd/pinctl-metrics.timer|$(SYSTEMDUNITDIR)/pinctl-metrics.timer \
	$(call into,0644,packaging/examples/modules-load.d-pinmgr.conf \
		packaging/examples/modprobe.d-pinmgr.conf,$(DOCDIR)/examples)

INSTALL_ALL := $(INSTALL_LIB) $(INSTALL_CLI) $(INSTALL_DKMS) $(INSTALL_SYSTEM)

# Directories that hold nothing but ours: uninstall removes them once they
# are empty. Any other directory (bin, lib, man8, …) is shared and stays.
INSTALL_OWN_DIRS := $(DKMS_SRC) $(LIBEXECDIR)/pinctl $(DOCDIR)

# ---- commands derived from the list ----------------------------------------

define newline


endef
# $(call field,ENTRY,N): the entry's mode (1), source (2) or destination (3).
field = $(word $2,$(subst |, ,$1))
installed = $(DESTDIR)$(call field,$1,3)
# What ENTRIES need built or present: their sources, links aside.
install_srcs = $(foreach e,$1,$(if $(filter link,$(call field,$e,1)),,$(call field,$e,2)))
# The commands for ENTRIES: their directories, then a line per file.
install_cmds = install -d $(sort $(foreach e,$1,$(patsubst %/,%,$(dir $(call installed,$e)))))$(newline)$(foreach e,$1,$(call install_cmd,$e)$(newline))
install_cmd = $(if $(filter link,$(call field,$1,1)),ln -sf $(call field,$1,2) $(call installed,$1),install -m $(call field,$1,1) $(call field,$1,2) $(call installed,$1))

install-lib: $(call install_srcs,$(INSTALL_LIB))
	$(call install_cmds,$(INSTALL_LIB))

install-cli: $(call install_srcs,$(INSTALL_CLI))
	$(call install_cmds,$(INSTALL_CLI))

install-dkms: $(call install_srcs,$(INSTALL_DKMS))
	$(call install_cmds,$(INSTALL_DKMS))

install-system: $(call install_srcs,$(INSTALL_SYSTEM))
	$(call install_cmds,$(INSTALL_SYSTEM))

install: install-lib install-cli install-dkms install-system

# Every file of the list, then our own directories as they empty (deepest
# first; one holding a file not ours, e.g. a build made in place, stays).
uninstall:
	rm -f $(foreach e,$(INSTALL_ALL),$(call installed,$e))
	$(foreach d,$(INSTALL_OWN_DIRS),[ ! -d $(DESTDIR)$d ] || \
		find $(DESTDIR)$d -depth -type d -empty -delete$(newline))

.PHONY: install-lib install-cli install-dkms install-system install uninstall
