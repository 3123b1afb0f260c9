/*
 * Program memory in the hosted runtime (core/platform.h): anonymous
 * mappings from Linux, protected with mprotect. Linux picks the addresses,
 * so programs land wherever it has room, which exercises the loader's
 * relocation as the kernel's placement does.
 *
 * The loader calls these from Lemmings threads, so each call into libc
 * runs on the hart stack (hosted/hart_stack.c), not on the thread's page.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/platform.h"
#include "hosted/hosted.h"

struct map_call {
	uint64_t addr, len;
	int prot;
	void *result;
	int error; /* errno of a failed call */
};

static void map_on_hart(void *arg)
{
	struct map_call *c = arg;

	c->result = mmap(NULL, c->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void protect_on_hart(void *arg)
{
	struct map_call *c = arg;

	c->result = mprotect((void *)(uintptr_t)c->addr, c->len, c->prot) ? MAP_FAILED : NULL;
	c->error = errno;
}

static void unmap_on_hart(void *arg)
{
	struct map_call *c = arg;

	munmap((void *)(uintptr_t)c->addr, c->len);
}

static void page_alloc_on_hart(void *arg)
{
	*(void **)arg = calloc(1, 4096);
}

enum lm_err plat_program_reserve(uint64_t size, uint64_t *base)
{
	struct map_call c = {.len = size};

	if (!size || size % 4096)
		return LM_ERR_INVAL;
	hosted_on_hart_stack(map_on_hart, &c);
	if (c.result == MAP_FAILED)
		return LM_ERR_NOMEM;
	*base = (uint64_t)(uintptr_t)c.result;
	return LM_OK;
}

enum lm_err plat_program_protect(uint64_t addr, uint64_t len, unsigned prot)
{
	struct map_call c = {.addr = addr, .len = len, .prot = PROT_READ};

	if ((prot & PLAT_PROT_WRITE) && (prot & PLAT_PROT_EXEC))
		return LM_ERR_INVAL;
	if (prot & PLAT_PROT_WRITE)
		c.prot |= PROT_WRITE;
	if (prot & PLAT_PROT_EXEC)
		c.prot |= PROT_EXEC;
	hosted_on_hart_stack(protect_on_hart, &c);
	if (c.result != MAP_FAILED)
		return LM_OK;
	/* Linux's ENOMEM: no memory for the kernel's records, or a range
	 * that is not mapped (the kernel's own plat_program_protect says
	 * invalid argument for the latter; Linux does not tell them apart). */
	return c.error == ENOMEM ? LM_ERR_NOMEM : c.error == EACCES ? LM_ERR_FAULT : LM_ERR_INVAL;
}

void plat_program_release(uint64_t base, uint64_t size)
{
	struct map_call c = {.addr = base, .len = size};

	hosted_on_hart_stack(unmap_on_hart, &c);
}

void *plat_page_alloc(void)
{
	void *page = NULL;

	hosted_on_hart_stack(page_alloc_on_hart, &page);
	return page;
}

void plat_page_free(void *page)
{
	hosted_on_hart_stack(free, page);
}
