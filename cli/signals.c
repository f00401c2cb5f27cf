// SPDX-License-Identifier: GPL-2.0-only
/*
 * The signals that end pinctl's waits (monitor, pin) in order: blocked
 * except inside ppoll(), where they interrupt it, so that the command
 * unpins and prints its last record instead of dying with its lease.
 */
#define _GNU_SOURCE
#include "pinctl.h"

static void ignore_signal(int sig)
{
	(void)sig;
}

void hold_signals(const int *sigs, size_t n, sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = ignore_signal };
	sigset_t block;
	size_t i;

	sigemptyset(&block);
	for (i = 0; i < n; i++)
		sigaddset(&block, sigs[i]);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < n; i++)
		sigaction(sigs[i], &sa, NULL);
	sigemptyset(wait_mask);
}
