#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Inside the VM for `make run`: load the driver and run the demo.
set -e
insmod /pinmgr/pinmgr.ko
echo "pinmgr loaded on $(uname -r): $(ls -l /dev/pinmgr)"
pinmgr-demo
rmmod pinmgr
echo "pinmgr unloaded"
