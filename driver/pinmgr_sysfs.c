// SPDX-License-Identifier: GPL-2.0-only
/*
 * The device's sysfs files (/sys/class/misc/pinmgr/), one value each: its
 * figures, its failures by cause (failures/), and its tunables, which are
 * also the module's parameters. A tunable is one variable with one rule,
 * whichever way it is written: the module parameter (at load or through
 * /sys/module/pinmgr/parameters/) and the device file go through the same
 * check. See docs/ABI/ for every file.
 */
#include <linux/capability.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sysfs.h>

#include "pinmgr.h"

unsigned long pinmgr_max_lease_pages = 1UL << 20;
unsigned int pinmgr_max_leases = 65536;
unsigned long pinmgr_max_device_pages;
unsigned int pinmgr_break_time_ms = 45000;
unsigned int pinmgr_max_events = 1024;

/* A tunable: its variable, its width and the values it takes. */
struct pinmgr_tunable {
	void *var;
	bool is_long;			/* unsigned long, else unsigned int */
	u64 min, max;
};

static int pinmgr_tunable_set(const struct pinmgr_tunable *t, const char *buf)
{
	u64 val;
	int ret;

	ret = kstrtou64(buf, 0, &val);
	if (ret)
		return ret;
	if (val < t->min || val > t->max)
		return -ERANGE;
	if (t->is_long)
		WRITE_ONCE(*(unsigned long *)t->var, val);
	else
		WRITE_ONCE(*(unsigned int *)t->var, val);
	return 0;
}

static u64 pinmgr_tunable_get(const struct pinmgr_tunable *t)
{
	return t->is_long ? READ_ONCE(*(unsigned long *)t->var) :
			    READ_ONCE(*(unsigned int *)t->var);
}

#define PINMGR_TUNABLE(_name, _long, _min, _max)			\
	static struct pinmgr_tunable pinmgr_tunable_##_name = {	\
		.var = &pinmgr_##_name, .is_long = _long,		\
		.min = _min, .max = _max,				\
	}

PINMGR_TUNABLE(max_lease_pages, true, 0, ULONG_MAX);
PINMGR_TUNABLE(max_leases, false, 0, UINT_MAX);
PINMGR_TUNABLE(max_device_pages, true, 0, ULONG_MAX);
/* A day at most: longer breaks are not breaks. */
PINMGR_TUNABLE(break_time_ms, false, 0, 86400000);
PINMGR_TUNABLE(max_events, false, 1, 1U << 20);

/* ---- As module parameters ---- */

static int pinmgr_param_set(const char *val, const struct kernel_param *kp)
{
	return pinmgr_tunable_set(kp->arg, val);
}

static int pinmgr_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", pinmgr_tunable_get(kp->arg));
}

static const struct kernel_param_ops pinmgr_param_ops = {
	.set = pinmgr_param_set,
	.get = pinmgr_param_get,
};

module_param_cb(max_lease_pages, &pinmgr_param_ops,
		&pinmgr_tunable_max_lease_pages, 0644);
MODULE_PARM_DESC(max_lease_pages,
		 "Pages one lease may pin (0: no limit; default 4 GiB of 4 KiB pages)");
module_param_cb(max_leases, &pinmgr_param_ops, &pinmgr_tunable_max_leases,
		0644);
MODULE_PARM_DESC(max_leases, "Leases one open file may hold (0: no limit)");
module_param_cb(max_device_pages, &pinmgr_param_ops,
		&pinmgr_tunable_max_device_pages, 0644);
MODULE_PARM_DESC(max_device_pages,
		 "Pages all leases may pin together (0 at load: half of RAM; 0 later: no limit)");
module_param_cb(break_time_ms, &pinmgr_param_ops,
		&pinmgr_tunable_break_time_ms, 0644);
MODULE_PARM_DESC(break_time_ms,
		 "How long a revoked lease's owner has to unpin before its pages are released (default 45 s, as lease-break-time; at most a day)");
module_param_cb(max_events, &pinmgr_param_ops, &pinmgr_tunable_max_events,
		0644);
MODULE_PARM_DESC(max_events,
		 "Events one open file queues before it drops them (fixed when the queue is made; 1 to 1048576)");

/* ---- As files of the device ---- */

struct pinmgr_tunable_attr {
	struct device_attribute attr;
	const struct pinmgr_tunable *t;
};

static ssize_t pinmgr_tunable_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	const struct pinmgr_tunable_attr *ta =
		container_of(attr, struct pinmgr_tunable_attr, attr);

	return sysfs_emit(buf, "%llu\n", pinmgr_tunable_get(ta->t));
}

static ssize_t pinmgr_tunable_store(struct device *dev,
				    struct device_attribute *attr,
				    const char *buf, size_t count)
{
	const struct pinmgr_tunable_attr *ta =
		container_of(attr, struct pinmgr_tunable_attr, attr);
	int ret = pinmgr_tunable_set(ta->t, buf);

	return ret ? ret : count;
}

#define PINMGR_TUNABLE_ATTR(_name)					\
	static struct pinmgr_tunable_attr pinmgr_attr_##_name = {	\
		.attr = __ATTR(_name, 0644, pinmgr_tunable_show,	\
			       pinmgr_tunable_store),			\
		.t = &pinmgr_tunable_##_name,				\
	}

PINMGR_TUNABLE_ATTR(max_lease_pages);
PINMGR_TUNABLE_ATTR(max_leases);
PINMGR_TUNABLE_ATTR(max_device_pages);
PINMGR_TUNABLE_ATTR(break_time_ms);
PINMGR_TUNABLE_ATTR(max_events);

/*
 * The figures of PINMGR_STATS() that sysfs shows read-only: TOP ones in
 * the device's directory, FAILURES ones in failures/ (where "leases" is
 * over max_leases). TUNABLES have their writable files above. Both groups
 * list every figure, and each shows only its own.
 */
enum pinmgr_fig_dir {
	PINMGR_DIR_TOP,
	PINMGR_DIR_FAILURES,
	PINMGR_DIR_TUNABLES,
};

struct pinmgr_figure_attr {
	struct device_attribute attr;
	enum pinmgr_figure fig;
	enum pinmgr_fig_dir where;
};

static ssize_t pinmgr_figure_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	const struct pinmgr_figure_attr *fa =
		container_of(attr, struct pinmgr_figure_attr, attr);

	return sysfs_emit(buf, "%llu\n", pinmgr_figure_read(fa->fig));
}

#define PINMGR_FIG_ATTR(name, id, src, unit, dir, file, prom, label, help) \
	[PINMGR_FIG_##id] = {						\
		.attr = __ATTR(file, 0444, pinmgr_figure_show, NULL),	\
		.fig = PINMGR_FIG_##id,					\
		.where = PINMGR_DIR_##dir,				\
	},

static struct pinmgr_figure_attr pinmgr_fig_attrs[] = {
	PINMGR_STATS(PINMGR_FIG_ATTR)
};

#define PINMGR_FIG_PTR(fig)	(&pinmgr_fig_attrs[fig].attr.attr)
#define PINMGR_FIG_LIST(name, id, src, unit, dir, file, prom, label, help) \
	[PINMGR_FIG_##id] = PINMGR_FIG_PTR(PINMGR_FIG_##id),

static struct attribute *pinmgr_tunable_attrs[] = {
	&pinmgr_attr_max_lease_pages.attr.attr,
	&pinmgr_attr_max_leases.attr.attr,
	&pinmgr_attr_max_device_pages.attr.attr,
	&pinmgr_attr_break_time_ms.attr.attr,
	&pinmgr_attr_max_events.attr.attr,
	NULL,
};

static const struct attribute_group pinmgr_tunable_group = {
	.attrs = pinmgr_tunable_attrs,
};

static struct attribute *pinmgr_attrs[] = {
	PINMGR_STATS(PINMGR_FIG_LIST)
	NULL,
};

static umode_t pinmgr_fig_visible(struct attribute *attr, int n,
				  enum pinmgr_fig_dir dir)
{
	return pinmgr_fig_attrs[n].where == dir ? attr->mode : 0;
}

static umode_t pinmgr_top_visible(struct kobject *kobj, struct attribute *attr,
				  int n)
{
	return pinmgr_fig_visible(attr, n, PINMGR_DIR_TOP);
}

static const struct attribute_group pinmgr_attr_group = {
	.attrs = pinmgr_attrs,
	.is_visible = pinmgr_top_visible,
};

static struct attribute *pinmgr_failure_attrs[] = {
	PINMGR_STATS(PINMGR_FIG_LIST)
	NULL,
};

static umode_t pinmgr_failure_visible(struct kobject *kobj,
				      struct attribute *attr, int n)
{
	return pinmgr_fig_visible(attr, n, PINMGR_DIR_FAILURES);
}

static const struct attribute_group pinmgr_failure_group = {
	.name = "failures",
	.attrs = pinmgr_failure_attrs,
	.is_visible = pinmgr_failure_visible,
};

const struct attribute_group *pinmgr_attr_groups[] = {
	&pinmgr_tunable_group,
	&pinmgr_attr_group,
	&pinmgr_failure_group,
	NULL,
};
