// SPDX-License-Identifier: GPL-2.0
/*
 * A made-up patch-site helper used only as test data.
 */
#include <linux/types.h>

#define SITE_WORDS	2

struct site {
	unsigned long pc;
	u32 words[SITE_WORDS];
};

static int site_check(struct site *s)
{
	if (!s)
		return -EINVAL;
	return 0;
}

static int site_write(struct site *s, u32 old, u32 new)
{
	int ret = site_check(s);

	if (ret)
		return ret;
	if (s->words[0] != old)
		return -EBUSY;
	s->words[0] = new;
	return 0;
}

int site_enable(struct site *s, u32 call)
{
	return site_write(s, 0xd503201f, call);
}

int site_disable(struct site *s, u32 call)
{
	return site_write(s, call, 0xd503201f);
}
