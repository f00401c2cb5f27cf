// SPDX-License-Identifier: GPL-2.0-only
/*
 * pinctl's grammar, one for every object:
 *
 *	pinctl [OPTIONS] OBJECT [COMMAND [ARGS]]
 *
 * Objects, commands and keywords are looked up in tables, by any prefix
 * that names one entry (an exact name wins); ARGS are "keyword value"
 * pairs and flags, read by each command's keyword table.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pinctl.h"

static const char *entry_name(const void *table, size_t size, size_t i)
{
	return *(const char *const *)((const char *)table + i * size);
}

int match_word(const char *word, const void *table, size_t size, size_t n,
	       const char *what, void (*usage)(FILE *f))
{
	size_t i, len = strlen(word), found = 0;
	int idx = -1;
	char list[512] = "";

	if (!len)
		return -1;
	for (i = 0; i < n; i++) {
		const char *name = entry_name(table, size, i);

		if (name && !strcmp(name, word))
			return (int)i;
	}
	for (i = 0; i < n; i++) {
		const char *name = entry_name(table, size, i);

		if (!name || strncmp(name, word, len))
			continue;
		if (found++)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, name, sizeof(list) - strlen(list) - 1);
		idx = (int)i;
	}
	if (found > 1) {
		usage_error(usage, "%s \"%s\" is ambiguous: %s", what, word, list);
		return -2;
	}
	return idx;
}

int usage_error(void (*usage)(FILE *f), const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcomplain(fmt, ap);
	va_end(ap);
	usage(stderr);
	return EXIT_USAGE;
}

int object_run(struct pinctl_cli *cli, const struct object *obj, int argc,
	       char **argv)
{
	const struct cmd *c, *def;
	size_t n;
	int i;

	for (n = 0; obj->cmds[n].name; n++)
		;
	def = &obj->cmds[n];
	c = def;
	if (argc > 0) {
		/* "help" is a command of every object. */
		i = match_word(argv[0], obj->cmds, sizeof(*obj->cmds), n, "command",
			       obj->usage);
		if (i == -2)
			return EXIT_USAGE;
		if (i == -1 && argv[0][0] &&
		    !strncmp("help", argv[0], strlen(argv[0]))) {
			obj->usage(stdout);
			return EXIT_OK;
		}
		if (i >= 0) {
			c = &obj->cmds[i];
			argc--;
			argv++;
		} else if (!obj->default_takes_args || !def->fn) {
			return usage_error(obj->usage, "unknown command \"%s\" of %s",
					   argv[0], obj->name);
		}
	}
	if (!c->fn)
		return usage_error(obj->usage, "%s needs a command", obj->name);
	if (cli->format == FMT_PROMETHEUS && !c->prometheus)
		return usage_error(obj->usage, "-P (Prometheus) is the format of "
				   "\"pinctl stats\" and \"pinctl census machine\" only");
	return c->fn(cli, argc, argv);
}

static int parse_value(const struct kw *k, const char *v, void *args,
		       void (*usage)(FILE *f))
{
	char *p = (char *)args + k->off;
	const char *what = k->what ? k->what : k->name;
	uint64_t x = 1;
	int i, ret = 0;

	switch (k->type) {
	case ARG_FLAG:
		*(bool *)p = true;
		return 0;
	case ARG_ID:
		ret = parse_id(v, &x);
		if (!ret)
			*(uint64_t *)p = x;
		break;
	case ARG_COOKIE:
		ret = parse_cookie(v, (uint64_t *)p);
		break;
	case ARG_U32:
		ret = parse_u32(v, (uint32_t *)p);
		if (!ret)
			x = *(uint32_t *)p;
		break;
	case ARG_SIZE:
		ret = parse_size(v, &x);
		if (!ret)
			*(uint64_t *)p = x;
		break;
	case ARG_DURATION:
		ret = parse_duration(v, &x);
		if (!ret)
			*(uint64_t *)p = x;
		break;
	case ARG_STRING:
		*(const char **)p = v;
		return 0;
	case ARG_CHOICE:
		for (i = 0; k->choices[i]; i++)
			;
		i = match_word(v, k->choices, sizeof(*k->choices), (size_t)i, what,
			       usage);
		if (i == -2)
			return EXIT_USAGE;
		if (i < 0)
			return usage_error(usage, "unknown %s \"%s\"", what, v);
		*(unsigned int *)p = (unsigned int)i;
		return 0;
	case ARG_ASSIGN:
		break;
	}
	if (ret)
		return usage_error(usage, "bad %s \"%s\"", what, v);
	if (k->nonzero && !x)
		return usage_error(usage, "%s must not be 0", what);
	return 0;
}

int parse_args(const struct kw *kws, size_t n, int argc, char **argv,
	       void *args, uint32_t *seen, void (*usage)(FILE *f))
{
	uint32_t got = 0;
	int a, ret;

	for (a = 0; a < argc; a++) {
		const char *w = argv[a];
		const struct kw *k = NULL;
		size_t i;
		int m;

		if (!strcmp(w, "help")) {
			usage(stdout);
			return EXIT_OK;
		}
		m = match_word(w, kws, sizeof(*kws), n, "keyword", usage);
		if (m == -2)
			return EXIT_USAGE;
		if (m >= 0) {
			k = &kws[m];
		} else {
			/* Not a keyword: NAME=VALUE, or the next bare value. */
			for (i = 0; i < n && !k; i++)
				if (kws[i].type == ARG_ASSIGN && strchr(w, '=') &&
				    w[0] != '=')
					k = &kws[i];
			for (i = 0; i < n && !k; i++)
				if (!kws[i].name && kws[i].type != ARG_ASSIGN &&
				    !(got & (1u << i)))
					k = &kws[i];
			if (!k)
				return usage_error(usage, "unknown argument \"%s\"", w);
		}
		i = (size_t)(k - kws);
		if (k->type == ARG_ASSIGN) {
			struct assign_list *l = (void *)((char *)args + k->off);

			if (l->n == ASSIGN_MAX)
				return usage_error(usage, "more than %d settings",
						   ASSIGN_MAX);
			l->v[l->n++] = w;
		} else {
			if ((got & (1u << i)) && k->name)
				return usage_error(usage, "\"%s\" given twice", k->name);
			if (k->name && k->type != ARG_FLAG) {
				if (++a == argc)
					return usage_error(usage, "\"%s\" needs a value",
							   k->name);
				w = argv[a];
			}
			ret = parse_value(k, w, args, usage);
			if (ret)
				return ret;
		}
		got |= 1u << i;
	}
	if (seen)
		*seen = got;
	return ARGS_GO_ON;
}
