# SPDX-License-Identifier: GPL-2.0-only
#
# libpinctl: the shared and static library, its pkg-config file, and the
# ABI baseline. The shared library goes where run-vm copies it into the VM
# (build/user/lib, on the guest's LD_LIBRARY_PATH); the static library and
# the pkg-config file stay in build/libpinctl. Programs built here find the
# library through RUNPATH $ORIGIN/../lib.

LIB_SONAME := libpinctl.so.0
LIB_OUT := $(BUILD)/libpinctl
LIB_SRCS := $(sort $(wildcard libpinctl/*.c))
LIB_HDRS := libpinctl/libpinctl.h libpinctl/libpinctl-private.h $(UAPI_HDRS)
LIB_DEPS := libnl-genl-3.0 libkmod
LIB_OBJS := $(patsubst libpinctl/%.c,$(LIB_OUT)/%.o,$(LIB_SRCS))
LIB_SO := $(USER_OUT)/lib/libpinctl.so.$(LIB_VERSION)
LIB_A := $(LIB_OUT)/libpinctl.a
LIB_PC := $(LIB_OUT)/libpinctl.pc
# How programs built here link the library (packages set USER_RPATH=).
USER_RPATH := -Wl,-rpath,'$$ORIGIN/../lib'
LINK_LIB := -L$(USER_OUT)/lib -lpinctl $(USER_RPATH)

# mk/cli.mk adds pinctl: `make lib` builds both.
lib: $(LIB_SO) $(LIB_A) $(LIB_PC)

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

# The one rule that writes libpinctl.pc: make install and the packages
# (which run make install) install this file.
$(LIB_PC): libpinctl/libpinctl.pc.in $(INSTALL_PATHS)
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(LIB_VERSION)|' $< >$@

abi-baseline: $(LIB_SO)
	@mkdir -p libpinctl/abi
	abidw --no-corpus-path --no-comp-dir-path --headers-dir libpinctl $(LIB_SO) \
		>libpinctl/abi/libpinctl.abi

.PHONY: lib abi-baseline
