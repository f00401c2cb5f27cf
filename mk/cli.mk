# SPDX-License-Identifier: GPL-2.0-only
#
# pinctl, the command, linked against the library built here.

PINCTL := $(USER_OUT)/bin/pinctl
CLI_SRCS := $(sort $(wildcard cli/*.c))
CLI_HDRS := $(wildcard cli/*.h) libpinctl/libpinctl.h $(UAPI_HDRS)

lib: $(PINCTL)

$(PINCTL): $(CLI_SRCS) $(CLI_HDRS) $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(PM_CFLAGS) $(CFLAGS) -Ilibpinctl $$(pkg-config --cflags json-c) \
		$(LDFLAGS) $(CLI_SRCS) -o $@ $(LINK_LIB) $$(pkg-config --libs json-c)
