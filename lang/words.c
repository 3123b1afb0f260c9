/*
 * The init language's built-in words (words.h). The helpers run on the
 * machine's return stack, called from generated code, with their stack
 * effect already checked (arch/lang_emit.h); each one that takes an
 * address checks the whole range against the permitted one itself.
 */
#include "lang/words.h"

#include "lang/dict.h"
#include "lib/fmt.h"
#include "lib/string.h"

static struct lang_vm *vm_of(struct lang_regs *regs)
{
	return (struct lang_vm *)(void *)regs; /* regs is the first member */
}

static int64_t *cells(struct lang_regs *regs)
{
	return (int64_t *)(uintptr_t)regs->sp;
}

void words_write(struct lang_vm *vm, const char *s, size_t len)
{
	if (vm->write && len > 0)
		vm->write(vm->write_ctx, s, len);
}

static void say(struct lang_vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct lang_vm *vm, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	words_write(vm, buf, n < sizeof buf ? n : sizeof buf - 1);
}

/* [addr, addr + len) lies in the permitted range. */
static bool range_ok(const struct lang_regs *regs, uint64_t addr, uint64_t len)
{
	if (len == 0)
		return true;
	return addr >= regs->mem_lo && addr <= regs->mem_hi_byte &&
	       len - 1 <= regs->mem_hi_byte - addr;
}

static void print_cell(struct lang_vm *vm, int64_t v, bool is_unsigned)
{
	if (vm->base == 16)
		say(vm, "%llx ", (unsigned long long)v);
	else if (is_unsigned)
		say(vm, "%llu ", (unsigned long long)v);
	else
		say(vm, "%lld ", (long long)v);
}

static int h_dot(struct lang_regs *regs)
{
	print_cell(vm_of(regs), cells(regs)[0], false);
	regs->sp += 8;
	return 0;
}

static int h_udot(struct lang_regs *regs)
{
	print_cell(vm_of(regs), cells(regs)[0], true);
	regs->sp += 8;
	return 0;
}

static int h_dots(struct lang_regs *regs)
{
	struct lang_vm *vm = vm_of(regs);
	size_t depth = (regs->sbase - regs->sp) / 8;

	say(vm, "<%zu> ", depth);
	for (size_t i = depth; i > 0; i--)
		print_cell(vm, cells(regs)[i - 1], false);
	return 0;
}

static int h_emit(struct lang_regs *regs)
{
	char c = (char)cells(regs)[0];

	words_write(vm_of(regs), &c, 1);
	regs->sp += 8;
	return 0;
}

static int h_cr(struct lang_regs *regs)
{
	words_write(vm_of(regs), "\n", 1);
	return 0;
}

static int h_space(struct lang_regs *regs)
{
	words_write(vm_of(regs), " ", 1);
	return 0;
}

/* ( addr len -- ) */
static int h_type(struct lang_regs *regs)
{
	uint64_t len = (uint64_t)cells(regs)[0], addr = (uint64_t)cells(regs)[1];

	if (len > LANG_TYPE_MAX)
		return LANG_ERR_LENGTH;
	if (!range_ok(regs, addr, len))
		return LANG_RT_ADDRESS;
	words_write(vm_of(regs), (const char *)(uintptr_t)addr, len);
	regs->sp += 16;
	return 0;
}

/* ( addr len -- ): 16 bytes a line, in hex and as text. */
static int h_dump(struct lang_regs *regs)
{
	struct lang_vm *vm = vm_of(regs);
	uint64_t len = (uint64_t)cells(regs)[0], addr = (uint64_t)cells(regs)[1];

	if (len > LANG_TYPE_MAX)
		return LANG_ERR_LENGTH;
	if (!range_ok(regs, addr, len))
		return LANG_RT_ADDRESS;
	for (uint64_t off = 0; off < len; off += 16) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)(addr + off);
		uint64_t n = len - off < 16 ? len - off : 16;
		char line[100];
		size_t k = fmt_snprintf(line, sizeof line, "%016llx:",
					(unsigned long long)(addr + off));

		for (uint64_t i = 0; i < 16; i++) {
			if (i < n)
				k += fmt_snprintf(line + k, sizeof line - k, " %02x", p[i]);
			else
				k += fmt_snprintf(line + k, sizeof line - k, "   ");
		}
		k += fmt_snprintf(line + k, sizeof line - k, "  ");
		for (uint64_t i = 0; i < n; i++)
			line[k++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
		line[k++] = '\n';
		words_write(vm, line, k);
	}
	regs->sp += 16;
	return 0;
}

static int h_words(struct lang_regs *regs)
{
	struct lang_vm *vm = vm_of(regs);

	for (size_t i = 0; i < vm->nwords; i++) {
		if (vm->words[i].hidden)
			continue;
		words_write(vm, vm->words[i].name, vm->words[i].len);
		words_write(vm, " ", 1);
	}
	words_write(vm, "\n", 1);
	return 0;
}

/* Division truncates toward zero, as C's; INT64_MIN / -1 wraps (the CPU
 * would trap). */
static int divide(struct lang_regs *regs, int64_t *quot, int64_t *rem)
{
	int64_t b = cells(regs)[0], a = cells(regs)[1];

	if (b == 0)
		return LANG_ERR_DIVZERO;
	if (a == INT64_MIN && b == -1) {
		*quot = INT64_MIN;
		*rem = 0;
	} else {
		*quot = a / b;
		*rem = a % b;
	}
	return 0;
}

/* ( a b -- quot ) or ( a b -- rem ) */
static int divide_one(struct lang_regs *regs, bool remainder)
{
	int64_t q, r;
	int err = divide(regs, &q, &r);

	if (err)
		return err;
	regs->sp += 8;
	cells(regs)[0] = remainder ? r : q;
	return 0;
}

static int h_div(struct lang_regs *regs)
{
	return divide_one(regs, false);
}

static int h_mod(struct lang_regs *regs)
{
	return divide_one(regs, true);
}

/* ( a b -- rem quot ) */
static int h_divmod(struct lang_regs *regs)
{
	int64_t q, r;
	int err = divide(regs, &q, &r);

	if (err)
		return err;
	cells(regs)[1] = r;
	cells(regs)[0] = q;
	return 0;
}

static int h_hex(struct lang_regs *regs)
{
	vm_of(regs)->base = 16;
	return 0;
}

static int h_decimal(struct lang_regs *regs)
{
	vm_of(regs)->base = 10;
	return 0;
}

lang_helper_fn *words_type_fn(void)
{
	return h_type;
}

struct builtin {
	const char *name;
	uint8_t kind;
	int64_t value;
	lang_helper_fn *fn;
	uint8_t in, out;
};

static const struct builtin builtins[] = {
	{ "dup", WORD_OP, OP_DUP, NULL, 0, 0 },
	{ "drop", WORD_OP, OP_DROP, NULL, 0, 0 },
	{ "swap", WORD_OP, OP_SWAP, NULL, 0, 0 },
	{ "over", WORD_OP, OP_OVER, NULL, 0, 0 },
	{ "rot", WORD_OP, OP_ROT, NULL, 0, 0 },
	{ "nip", WORD_OP, OP_NIP, NULL, 0, 0 },
	{ "tuck", WORD_OP, OP_TUCK, NULL, 0, 0 },
	{ "2dup", WORD_OP, OP_2DUP, NULL, 0, 0 },
	{ "2drop", WORD_OP, OP_2DROP, NULL, 0, 0 },
	{ "depth", WORD_OP, OP_DEPTH, NULL, 0, 0 },
	{ "+", WORD_OP, OP_ADD, NULL, 0, 0 },
	{ "-", WORD_OP, OP_SUB, NULL, 0, 0 },
	{ "*", WORD_OP, OP_MUL, NULL, 0, 0 },
	{ "and", WORD_OP, OP_AND, NULL, 0, 0 },
	{ "or", WORD_OP, OP_OR, NULL, 0, 0 },
	{ "xor", WORD_OP, OP_XOR, NULL, 0, 0 },
	{ "invert", WORD_OP, OP_INVERT, NULL, 0, 0 },
	{ "negate", WORD_OP, OP_NEGATE, NULL, 0, 0 },
	{ "abs", WORD_OP, OP_ABS, NULL, 0, 0 },
	{ "1+", WORD_OP, OP_1PLUS, NULL, 0, 0 },
	{ "1-", WORD_OP, OP_1MINUS, NULL, 0, 0 },
	{ "lshift", WORD_OP, OP_LSHIFT, NULL, 0, 0 },
	{ "rshift", WORD_OP, OP_RSHIFT, NULL, 0, 0 },
	{ "min", WORD_OP, OP_MIN, NULL, 0, 0 },
	{ "max", WORD_OP, OP_MAX, NULL, 0, 0 },
	{ "=", WORD_OP, OP_EQ, NULL, 0, 0 },
	{ "<>", WORD_OP, OP_NE, NULL, 0, 0 },
	{ "<", WORD_OP, OP_LT, NULL, 0, 0 },
	{ ">", WORD_OP, OP_GT, NULL, 0, 0 },
	{ "u<", WORD_OP, OP_ULT, NULL, 0, 0 },
	{ "0=", WORD_OP, OP_ZEQ, NULL, 0, 0 },
	{ "0<", WORD_OP, OP_ZLT, NULL, 0, 0 },
	{ "@", WORD_OP, OP_FETCH, NULL, 0, 0 },
	{ "!", WORD_OP, OP_STORE, NULL, 0, 0 },
	{ "c@", WORD_OP, OP_CFETCH, NULL, 0, 0 },
	{ "c!", WORD_OP, OP_CSTORE, NULL, 0, 0 },
	{ "+!", WORD_OP, OP_PSTORE, NULL, 0, 0 },
	{ "/", WORD_HELPER, 0, h_div, 2, 1 },
	{ "mod", WORD_HELPER, 0, h_mod, 2, 1 },
	{ "/mod", WORD_HELPER, 0, h_divmod, 2, 2 },
	{ ".", WORD_HELPER, 0, h_dot, 1, 0 },
	{ "u.", WORD_HELPER, 0, h_udot, 1, 0 },
	{ ".s", WORD_HELPER, 0, h_dots, 0, 0 },
	{ "emit", WORD_HELPER, 0, h_emit, 1, 0 },
	{ "cr", WORD_HELPER, 0, h_cr, 0, 0 },
	{ "space", WORD_HELPER, 0, h_space, 0, 0 },
	{ "type", WORD_HELPER, 0, h_type, 2, 0 },
	{ "dump", WORD_HELPER, 0, h_dump, 2, 0 },
	{ "words", WORD_HELPER, 0, h_words, 0, 0 },
	{ "hex", WORD_HELPER, 0, h_hex, 0, 0 },
	{ "decimal", WORD_HELPER, 0, h_decimal, 0, 0 },
	{ "true", WORD_CONSTANT, -1, NULL, 0, 0 },
	{ "false", WORD_CONSTANT, 0, NULL, 0, 0 },
	{ "bl", WORD_CONSTANT, ' ', NULL, 0, 0 },
	{ "cell", WORD_CONSTANT, 8, NULL, 0, 0 },
	{ ":", WORD_COMPILER, CW_COLON, NULL, 0, 0 },
	{ ";", WORD_COMPILER, CW_SEMICOLON, NULL, 0, 0 },
	{ "if", WORD_COMPILER, CW_IF, NULL, 0, 0 },
	{ "else", WORD_COMPILER, CW_ELSE, NULL, 0, 0 },
	{ "then", WORD_COMPILER, CW_THEN, NULL, 0, 0 },
	{ "begin", WORD_COMPILER, CW_BEGIN, NULL, 0, 0 },
	{ "until", WORD_COMPILER, CW_UNTIL, NULL, 0, 0 },
	{ "while", WORD_COMPILER, CW_WHILE, NULL, 0, 0 },
	{ "repeat", WORD_COMPILER, CW_REPEAT, NULL, 0, 0 },
	{ "do", WORD_COMPILER, CW_DO, NULL, 0, 0 },
	{ "loop", WORD_COMPILER, CW_LOOP, NULL, 0, 0 },
	{ "i", WORD_COMPILER, CW_I, NULL, 0, 0 },
	{ "j", WORD_COMPILER, CW_J, NULL, 0, 0 },
	{ "exit", WORD_COMPILER, CW_EXIT, NULL, 0, 0 },
	{ "recurse", WORD_COMPILER, CW_RECURSE, NULL, 0, 0 },
	{ "immediate", WORD_COMPILER, CW_IMMEDIATE, NULL, 0, 0 },
	{ "variable", WORD_COMPILER, CW_VARIABLE, NULL, 0, 0 },
	{ "constant", WORD_COMPILER, CW_CONSTANT, NULL, 0, 0 },
	{ "(", WORD_COMPILER, CW_PAREN, NULL, 0, 0 },
	{ "\\", WORD_COMPILER, CW_BACKSLASH, NULL, 0, 0 },
	{ "s\"", WORD_COMPILER, CW_SQUOTE, NULL, 0, 0 },
	{ ".\"", WORD_COMPILER, CW_DOTQUOTE, NULL, 0, 0 },
};

bool words_install(struct lang_vm *vm)
{
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
		const struct builtin *b = &builtins[i];
		struct lang_word *w = dict_add(vm, b->name, strlen(b->name), b->kind, b->value);

		if (!w)
			return false;
		w->fn = b->fn;
		w->in = b->in;
		w->out = b->out;
	}
	return true;
}
