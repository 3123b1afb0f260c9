/*
 * The init language's memory on Linux (struct lang_mem, lang/lang.h): the
 * code region from mmap, readable, writable and executable, and a return
 * stack with an unmapped guard page beneath it. Used by lemmings-hosted,
 * the host tests, the fuzzer and the benchmark.
 */
#include "hosted/lang_mem.h"

#include <sys/mman.h>

enum lm_err lang_mem_alloc(struct lang_mem *m, size_t code_size, size_t rstack_size)
{
	void *code, *stack;

	code = mmap(NULL, code_size, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return LM_ERR_NOMEM;
	stack = mmap(NULL, rstack_size + 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stack == MAP_FAILED) {
		munmap(code, code_size);
		return LM_ERR_NOMEM;
	}
	mprotect(stack, 4096, PROT_NONE);
	m->code = code;
	m->code_size = code_size;
	m->rstack = (char *)stack + 4096;
	m->rstack_size = rstack_size;
	return LM_OK;
}

void lang_mem_free(struct lang_mem *m)
{
	munmap(m->code, m->code_size);
	munmap((char *)m->rstack - 4096, m->rstack_size + 4096);
}
