// SPDX-License-Identifier: GPL-2.0-only
/*
 * A small application built against the installed libpinctl with
 * "pkg-config --cflags --libs libpinctl" alone (tests/lib/host-checks.sh).
 * It runs where the module may be absent: it explains what it finds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libpinctl.h>

int main(void)
{
	PINCTL_OPTS(pinctl_module_status, st);
	PINCTL_OPTS(pinctl_err_opts, eo, .op = PINCTL_OP_PIN, .length = 64 << 20);
	struct pinctl_ctx *ctx;
	struct pinctl_dev *dev;
	char msg[256];
	int ret;

	ret = pinctl_new(NULL, &ctx);
	if (ret)
		return 1;
	if (pinctl_module_status(ctx, &st))
		return 1;
	printf("pinmgr module: %s\n", st.state == PINCTL_MODULE_ABSENT ? "absent" : "present");
	ret = pinctl_dev_open(ctx, NULL, &dev);
	if (ret == 0) {
		pinctl_dev_unref(dev);
	} else {
		eo.op = PINCTL_OP_OPEN;
		pinctl_strerror(NULL, ret, &eo, msg, sizeof(msg));
		printf("open: %s\n", msg);
	}
	eo.op = PINCTL_OP_PIN;
	if (pinctl_strerror(NULL, -EDQUOT, &eo, msg, sizeof(msg)))
		return 1;
	printf("EDQUOT: %s\n", msg);
	pinctl_unref(ctx);
	return strstr(msg, "RLIMIT_MEMLOCK") ? 0 : 1;
}
