# SPDX-License-Identifier: GPL-2.0-only
#
# The Debian packages, built in a copy of the tree by dpkg-buildpackage,
# whose debian/rules (packaging/debian/rules) runs `make lib` and
# `make install`: the packages hold what the install list installs.

deb:
	tests/pkg/build-debs.sh $(BUILD)/deb

.PHONY: deb
