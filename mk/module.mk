# SPDX-License-Identifier: GPL-2.0-only
#
# pinmgr.ko, and the list of the driver's sources that DKMS builds from.

# What driver/Kbuild and driver/Makefile build from, as shipped in the DKMS
# tree (mk/install.mk). conftest.h is generated per kernel and *.mod.c by
# Kbuild: a build in driver/ itself must not leak them into the tree.
DRIVER_SRCS := driver/Kbuild driver/Makefile \
	$(filter-out driver/conftest.h %.mod.c,$(sort $(wildcard driver/*.[ch])))
DRIVER_CONFTESTS := $(sort $(wildcard driver/conftest/*.c))
DRIVER_CONFTEST_SH := driver/conftest.sh
# The driver includes these through -I../uapi (driver/Kbuild): the ABI
# headers and pinmgr_tables.h, which is not installed for user space.
DRIVER_UAPI_HDRS := $(sort $(wildcard uapi/linux/*.h))
DRIVER_TABLES_HDR := uapi/pinmgr_tables.h

# The driver is built in a copy per kernel, so that kernels never share
# objects or the generated conftest.h. KCFLAGS=-Werror keeps W=1 clean.
# KROOT: the build root of a Debian kernel (tests/vm/kernel.sh), whose
# compiler is the one that kernel was built with.
# The test importer (tests/importer), for kernels with the dma-buf core.
IMPORTER_KO = $(BUILD)/modules/$(KNAME)/src/tests/importer/pinmgr_importer.ko

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
	@mkdir -p $(BUILD)/modules/$(KNAME)/src/tests
	cp -a tests/importer $(BUILD)/modules/$(KNAME)/src/tests/
	$(if $(KROOT),tests/vm/in-root.sh $(KROOT)) \
		make -C $(KDIR) M=$(CURDIR)/$(BUILD)/modules/$(KNAME)/src/tests/importer \
		W=1 KCFLAGS=-Werror modules
	rm -f $(BUILD)/modules/$(KNAME)/pinmgr_importer.ko
	! test -f $(IMPORTER_KO) || cp $(IMPORTER_KO) $(BUILD)/modules/$(KNAME)/

.PHONY: module
