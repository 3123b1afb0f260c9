/*
 * Program memory in the hosted runtime (core/platform.h): anonymous
 * mappings from Linux, protected with mprotect. Linux picks the addresses,
 * so programs land wherever it has room, which exercises the loader's
 * relocation as the kernel's placement does.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "core/platform.h"

enum lm_err plat_program_reserve(uint64_t size, uint64_t *base)
{
	void *p;

	if (!size || size % 4096)
		return LM_ERR_INVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return LM_ERR_NOMEM;
	*base = (uint64_t)(uintptr_t)p;
	return LM_OK;
}

enum lm_err plat_program_protect(uint64_t addr, uint64_t len, unsigned prot)
{
	int p = PROT_READ;

	if ((prot & PLAT_PROT_WRITE) && (prot & PLAT_PROT_EXEC))
		return LM_ERR_INVAL;
	if (prot & PLAT_PROT_WRITE)
		p |= PROT_WRITE;
	if (prot & PLAT_PROT_EXEC)
		p |= PROT_EXEC;
	return mprotect((void *)(uintptr_t)addr, len, p) ? LM_ERR_INVAL : LM_OK;
}

void plat_program_release(uint64_t base, uint64_t size)
{
	munmap((void *)(uintptr_t)base, size);
}

void *plat_page_alloc(void)
{
	return calloc(1, 4096);
}

void plat_page_free(void *page)
{
	free(page);
}
