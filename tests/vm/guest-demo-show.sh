#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Sourced by guest-demo.sh's steps: show COMMAND... prints the command as
# typed, runs it, and says if it failed.
show() {
	echo "\$ $*"
	"$@" || echo "(exit status $?)"
	echo
}
