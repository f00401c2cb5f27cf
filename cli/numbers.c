// SPDX-License-Identifier: GPL-2.0-only
/*
 * Numbers from the command line, strictly: digits only (no sign, no
 * space, no exponent), decimal (a leading 0 is refused rather than read
 * as octal), overflow refused. Cookies may also be 0x hex; sizes take a
 * binary suffix, durations a unit.
 */
#define _GNU_SOURCE
#include <string.h>

#include "pinctl.h"

static int digit(char c, unsigned int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The digits at @s; *@end after them. At least one digit, no overflow. */
static int parse_digits(const char *s, unsigned int base, uint64_t *v,
			const char **end)
{
	uint64_t x = 0;
	int d;

	if (!s || digit(*s, base) < 0)
		return -EINVAL;
	/* "0" alone; "010" is neither octal nor ten. */
	if (base == 10 && s[0] == '0' && digit(s[1], base) >= 0)
		return -EINVAL;
	for (; (d = digit(*s, base)) >= 0; s++) {
		if (x > (UINT64_MAX - (uint64_t)d) / base)
			return -EINVAL;
		x = x * base + (uint64_t)d;
	}
	*v = x;
	*end = s;
	return 0;
}

int parse_id(const char *s, uint64_t *v)
{
	const char *end;
	uint64_t x;

	if (parse_digits(s, 10, &x, &end) || *end)
		return -EINVAL;
	*v = x;
	return 0;
}

int parse_cookie(const char *s, uint64_t *v)
{
	const char *end;
	uint64_t x;

	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (parse_digits(s + 2, 16, &x, &end) || *end)
			return -EINVAL;
		*v = x;
		return 0;
	}
	return parse_id(s, v);
}

int parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (parse_id(s, &x) || x > UINT32_MAX)
		return -EINVAL;
	*v = (uint32_t)x;
	return 0;
}

/* "4096", "64K", "64KiB", "2M", "1G", "1T": binary multiples. */
int parse_size(const char *s, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	unsigned int shift = 0;
	const char *end, *u;
	uint64_t x;

	if (parse_digits(s, 10, &x, &end))
		return -EINVAL;
	if (*end) {
		char c = *end >= 'a' && *end <= 'z' ? (char)(*end - 'a' + 'A') : *end;

		u = strchr(units, c);
		if (!u)
			return -EINVAL;
		shift = 10 * (unsigned int)(u - units + 1);
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
	}
	if (x > UINT64_MAX >> shift)
		return -EINVAL;
	*bytes = x << shift;
	return 0;
}

/* "10ns", "100us", "500ms", "30s", "5m", "2h", "1d"; "30" is seconds. */
int parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 },
		{ "s", 1000000000ULL }, { "", 1000000000ULL },
		{ "m", 60000000000ULL }, { "h", 3600000000000ULL },
		{ "d", 86400000000000ULL },
	};
	const char *end;
	unsigned int i;
	uint64_t x;

	if (parse_digits(s, 10, &x, &end))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (x > UINT64_MAX / units[i].ns)
			return -EINVAL;
		*ns = x * units[i].ns;
		return 0;
	}
	return -EINVAL;
}
