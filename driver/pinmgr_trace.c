// SPDX-License-Identifier: GPL-2.0-only
/* The tracepoints of pinmgr_trace.h, defined once. */
#define CREATE_TRACE_POINTS
#include "pinmgr_trace.h"
