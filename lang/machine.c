/*
 * The init language's machine (lang.h, machine.h): setting it up on the
 * home's memory, running compiled code through the entry that
 * arch/lang_emit.h writes, and naming a failed run's word by its position.
 *
 * Positions: every word compiled appends (code offset, line, column,
 * script) to vm->pos, in code order, and the entries of code taken back go
 * with it; a failed check leaves the address after its call in fault_pc,
 * so the last entry below that address is the word that failed.
 */
#include "lang/machine.h"

#include "lang/dict.h"
#include "lang/words.h"
#include "lib/fmt.h"
#include "lib/string.h"

static const char *const rt_errors[LANG_ERR_BUILTIN_END] = {
	[LANG_RT_UNDERFLOW] = "stack underflow",
	[LANG_RT_OVERFLOW] = "stack overflow",
	[LANG_RT_RSTACK] = "return stack overflow (recursion too deep)",
	[LANG_RT_BUDGET] = "step budget exhausted (an endless loop?)",
	[LANG_RT_ADDRESS] = "address out of range",
	[LANG_ERR_DIVZERO] = "division by zero",
	[LANG_ERR_LENGTH] = "length out of range",
};

void machine_error(struct lang_vm *vm, uint16_t file, uint32_t line, uint32_t col,
		   const char *fmt, ...)
{
	va_list ap;
	size_t n = fmt_snprintf(vm->error, sizeof vm->error, "%s:%u:%u: error: ",
				vm->files[file], line, col);

	if (n < sizeof vm->error) {
		va_start(ap, fmt);
		fmt_vsnprintf(vm->error + n, sizeof vm->error - n, fmt, ap);
		va_end(ap);
	}
	words_write(vm, vm->error, strlen(vm->error));
	words_write(vm, "\n", 1);
}

uint16_t machine_file(struct lang_vm *vm, const char *name)
{
	size_t i;

	for (i = 0; i < vm->nfiles; i++)
		if (strncmp(vm->files[i], name, LANG_FILE_NAME_MAX - 1) == 0)
			return (uint16_t)i;
	/* When the table is full the last name is reused: positions in
	 * older definitions from that slot then name the newer script. */
	i = vm->nfiles < LANG_FILES_MAX ? vm->nfiles++ : LANG_FILES_MAX - 1;
	fmt_snprintf(vm->files[i], LANG_FILE_NAME_MAX, "%s", name);
	return (uint16_t)i;
}

void machine_reset_stack(struct lang_vm *vm)
{
	vm->regs.sp = vm->regs.sbase;
}

static const struct lang_pos *pos_of(const struct lang_vm *vm, uint64_t pc)
{
	uint64_t base = (uint64_t)(uintptr_t)vm->code.base;
	size_t lo = 0, hi = vm->npos;

	if (pc <= base || pc - base > vm->code.pos)
		return NULL;
	/* The last entry whose code starts below pc. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vm->pos[mid].code_off < pc - base)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 ? &vm->pos[lo - 1] : NULL;
}

int machine_run(struct lang_vm *vm, size_t off, uint32_t line, uint32_t col)
{
	const struct lang_pos *p;
	const char *what;
	char other[32];
	int err;

	vm->regs.budget = vm->budget;
	vm->regs.fault_pc = 0;
	if (vm->guard)
		err = vm->guard(vm, vm->guard_ctx, vm->code.base + off);
	else
		err = vm->enter(&vm->regs, vm->code.base + off);
	if (err == 0)
		return 0;
	if (err == LANG_ERR_FAULT) {
		what = vm->fault;
	} else if (err >= LANG_ERR_LM && err < LANG_ERR_LM + LM_ERR_COUNT) {
		what = lm_err_str((enum lm_err)(err - LANG_ERR_LM));
	} else if (err < LANG_ERR_BUILTIN_END && rt_errors[err]) {
		what = rt_errors[err];
	} else if (err >= LANG_ERR_HELPER && (size_t)(err - LANG_ERR_HELPER) < vm->nhelper_errors) {
		what = vm->helper_errors[err - LANG_ERR_HELPER];
	} else {
		fmt_snprintf(other, sizeof other, "error %d", err);
		what = other;
	}
	p = pos_of(vm, vm->regs.fault_pc);
	if (p)
		machine_error(vm, p->file, p->line, p->col, "%s", what);
	else
		machine_error(vm, vm->file, line, col, "%s", what);
	machine_reset_stack(vm);
	return err;
}

enum lm_err lang_init(struct lang_vm *vm, const struct lang_mem *mem, lang_write_fn *write,
		      void *ctx)
{
	uintptr_t rtop;

	if (!mem->code || !mem->rstack || mem->rstack_size < LANG_RSTACK_MIN ||
	    mem->code_size < 4096 || mem->code_size > (1u << 30))
		return LM_ERR_RANGE;
	memset(vm, 0, sizeof *vm);
	vm->write = write;
	vm->write_ctx = ctx;
	vm->code.base = mem->code;
	vm->code.size = mem->code_size;
	if (!emit_runtime(&vm->code))
		return LM_ERR_RANGE;
	vm->enter = emit_enter_fn(&vm->code);
	vm->budget = UINT64_MAX;
	vm->base = 10;
	vm->regs.slimit = (uint64_t)(uintptr_t)&vm->stack[0];
	vm->regs.sbase = (uint64_t)(uintptr_t)&vm->stack[LANG_STACK_CELLS];
	machine_reset_stack(vm);
	rtop = ((uintptr_t)mem->rstack + mem->rstack_size) & ~(uintptr_t)15;
	vm->regs.rstack_top = rtop;
	vm->regs.rlimit = (uintptr_t)mem->rstack + LANG_RSTACK_MARGIN;
	lang_set_memory_range(vm, (uintptr_t)vm->data, (uintptr_t)vm->data + sizeof vm->data);
	machine_file(vm, "?");
	dict_init(vm);
	if (!words_install(vm))
		return LM_ERR_FULL;
	return LM_OK;
}

enum lm_err lang_add_words(struct lang_vm *vm, const struct lang_word_def *defs, size_t n,
			   const char *const *errors, size_t nerrors)
{
	for (size_t i = 0; i < n; i++) {
		struct lang_word *w;

		size_t len = defs[i].name ? strlen(defs[i].name) : 0;

		if (!defs[i].fn || defs[i].in > 8 || defs[i].out > 8 || len == 0 ||
		    len > LANG_NAME_MAX)
			return LM_ERR_INVAL;
		w = dict_add(vm, defs[i].name, len, WORD_HELPER, 0);
		if (!w)
			return LM_ERR_FULL;
		w->fn = defs[i].fn;
		w->in = defs[i].in;
		w->out = defs[i].out;
	}
	if (errors) {
		vm->helper_errors = errors;
		vm->nhelper_errors = nerrors;
	}
	return LM_OK;
}

enum lm_err lang_add_data_word(struct lang_vm *vm, const char *name, lang_helper_fn *fn,
			       uint8_t in, uint8_t out, int64_t data)
{
	struct lang_word_def def = { name, fn, (uint8_t)(in + 1), out };
	enum lm_err err;

	if (in > 7)
		return LM_ERR_INVAL;
	err = lang_add_words(vm, &def, 1, NULL, 0);
	if (err)
		return err;
	vm->words[vm->nwords - 1].in = in;
	vm->words[vm->nwords - 1].value = data;
	vm->words[vm->nwords - 1].with_data = true;
	return LM_OK;
}

void lang_set_guard(struct lang_vm *vm, lang_guard_fn *guard, void *ctx)
{
	vm->guard = guard;
	vm->guard_ctx = ctx;
}

void lang_set_budget(struct lang_vm *vm, uint64_t steps)
{
	vm->budget = steps ? steps : 1;
}

void lang_set_memory_range(struct lang_vm *vm, uintptr_t lo, uintptr_t hi)
{
	/* An empty range permits nothing: lo above every hi. */
	if (hi <= lo || hi - lo < 8) {
		vm->regs.mem_lo = UINT64_MAX;
		vm->regs.mem_hi_cell = 0;
		vm->regs.mem_hi_byte = 0;
		return;
	}
	vm->regs.mem_lo = lo;
	vm->regs.mem_hi_cell = hi - 8;
	vm->regs.mem_hi_byte = hi - 1;
}

size_t lang_stack(const struct lang_vm *vm, int64_t *out, size_t max)
{
	size_t depth = (vm->regs.sbase - vm->regs.sp) / 8;
	const int64_t *top = (const int64_t *)(uintptr_t)vm->regs.sp;

	for (size_t i = 0; i < depth && i < max; i++)
		out[i] = top[depth - 1 - i];
	return depth;
}

const char *lang_word_name(const struct lang_vm *vm, size_t i)
{
	for (size_t k = 0; k < vm->nwords; k++) {
		if (vm->words[k].hidden)
			continue;
		if (i-- == 0)
			return vm->words[k].name;
	}
	return NULL;
}
