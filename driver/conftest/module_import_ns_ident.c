// SPDX-License-Identifier: GPL-2.0-only
/*
 * Does MODULE_IMPORT_NS() take a bare identifier? It did until Linux 6.13
 * ("module: Convert symbol namespace to string literal"), which made it
 * take a string. (The test is this way round because the old macro also
 * compiles a string, into the wrong namespace name.)
 */
#include <linux/module.h>

MODULE_IMPORT_NS(DMA_BUF);
