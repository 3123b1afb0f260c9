/*
 * The initial stack of a Linux program (see exec.h for the layout). Pure:
 * writes only buf, and only inside [0, cap).
 */
#include "kernel/linux/abi.h"
#include "kernel/linux/exec.h"

static size_t len0(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n + 1;
}

/* The stack being built: addresses top - cap .. top map to buf. */
struct builder {
	uint8_t *buf;
	uint64_t bottom, at; /* bottom: top - cap; at: the lowest byte used */
};

/* Put len bytes just below at; false if they do not fit. */
static bool put(struct builder *b, const void *src, size_t len)
{
	const uint8_t *s = src;

	if (b->at - b->bottom < len)
		return false;
	b->at -= len;
	for (size_t i = 0; i < len; i++)
		b->buf[b->at - b->bottom + i] = s[i];
	return true;
}

static void word_at(struct builder *b, uint64_t addr, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b->buf[addr - b->bottom + i] = (uint8_t)(v >> 8 * i);
}

enum lm_err linux_stack_build(const struct linux_exec_info *in, uint64_t top, uint8_t *buf,
			      size_t cap, uint64_t *sp)
{
	static const char platform[] = "x86_64";
	struct builder b = {buf, top - cap, top};
	uint64_t zero = 0, execfn, plat, rnd, words, at, at_aligned;
	int n = 0;

	if (in->argc < 0 || in->envc < 0 || !in->execfn || cap > top || top % 16)
		return LM_ERR_INVAL;
	for (int i = 0; i < in->argc; i++)
		if (!in->argv[i])
			return LM_ERR_INVAL;
	for (int i = 0; i < in->envc; i++)
		if (!in->envp[i])
			return LM_ERR_INVAL;
	if (!put(&b, &zero, 8) || !put(&b, in->execfn, len0(in->execfn)))
		return LM_ERR_NOSPACE;
	execfn = b.at;
	/* The strings, last first, so that argv[0]'s is lowest as on Linux;
	 * their addresses are found again below by walking up. */
	for (int i = in->envc - 1; i >= 0; i--)
		if (!put(&b, in->envp[i], len0(in->envp[i])))
			return LM_ERR_NOSPACE;
	for (int i = in->argc - 1; i >= 0; i--)
		if (!put(&b, in->argv[i], len0(in->argv[i])))
			return LM_ERR_NOSPACE;
	at = b.at; /* argv[0]'s string */
	if (!put(&b, platform, sizeof platform))
		return LM_ERR_NOSPACE;
	plat = b.at;
	if (!put(&b, in->random, sizeof in->random))
		return LM_ERR_NOSPACE;
	rnd = b.at;
	words = 1 + (uint64_t)in->argc + 1 + (uint64_t)in->envc + 1 + 2 * LINUX_AUXV_COUNT;
	at_aligned = b.at & ~15ull;
	if (at_aligned < b.bottom || at_aligned - b.bottom < words * 8)
		return LM_ERR_NOSPACE;
	b.at = (at_aligned - words * 8) & ~15ull;
	if (b.at < b.bottom)
		return LM_ERR_NOSPACE;
	*sp = b.at;
	word_at(&b, b.at + 8 * n++, (uint64_t)in->argc);
	for (int i = 0; i < in->argc; i++) {
		word_at(&b, b.at + 8 * n++, at);
		at += len0(in->argv[i]);
	}
	word_at(&b, b.at + 8 * n++, 0);
	for (int i = 0; i < in->envc; i++) {
		word_at(&b, b.at + 8 * n++, at);
		at += len0(in->envp[i]);
	}
	word_at(&b, b.at + 8 * n++, 0);
	{
		const uint64_t aux[LINUX_AUXV_COUNT][2] = {
			{LINUX_AT_PHDR, in->phdr}, {LINUX_AT_PHENT, 56},
			{LINUX_AT_PHNUM, in->phnum}, {LINUX_AT_PAGESZ, 4096},
			{LINUX_AT_BASE, 0}, {LINUX_AT_FLAGS, 0}, {LINUX_AT_ENTRY, in->entry},
			{LINUX_AT_UID, 0}, {LINUX_AT_EUID, 0}, {LINUX_AT_GID, 0},
			{LINUX_AT_EGID, 0}, {LINUX_AT_HWCAP, in->hwcap}, {LINUX_AT_CLKTCK, 100},
			{LINUX_AT_SECURE, 0}, {LINUX_AT_RANDOM, rnd}, {LINUX_AT_PLATFORM, plat},
			{LINUX_AT_EXECFN, execfn}, {LINUX_AT_NULL, 0},
		};

		for (int i = 0; i < LINUX_AUXV_COUNT; i++) {
			word_at(&b, b.at + 8 * n++, aux[i][0]);
			word_at(&b, b.at + 8 * n++, aux[i][1]);
		}
	}
	return LM_OK;
}
