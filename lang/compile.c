/*
 * The init language's compiler: lang_eval() reads a script word by word
 * and compiles each at once (arch/lang_emit.h writes the code).
 *
 * Owns the compiler state in struct lang_vm: the definition being
 * compiled, the top-level line being compiled, and the stack of open
 * control structures (if, begin, while, do), each with where its branch is
 * patched and its position for errors.
 *
 * Top level: words outside a definition are compiled too, into a line of
 * code after the last definition, which runs when the next word is on a
 * later line (or before a defining word, or at the end of the script) and
 * no control structure is open, and is then taken back. A definition's
 * code stays.
 *
 * Invariants: between two words, the code region holds the runtime, the
 * definitions and at most one open line or definition (never both); the
 * marks (vm->mark_*) say where that open one began, and an error takes
 * everything back to them: code, positions, words and data space.
 */
#include "lang/lang.h"

#include "lang/dict.h"
#include "lang/machine.h"
#include "lang/reader.h"
#include "lang/words.h"
#include "lib/fmt.h"
#include "lib/string.h"

struct compiler {
	struct lang_vm *vm;
	struct reader r;
	struct token t;  /* the word being compiled */
};

/* A word as text for an error line: escaped, cut to fit. */
static const char *shown(const struct token *t, char *buf, size_t size)
{
	size_t len = t->len < 40 ? t->len : 40;
	size_t n = fmt_escape(buf, size, t->s, len);

	if (len < t->len && n + 4 < size)
		memcpy(buf + n, "...", 4);
	return buf;
}

static int fail_at(struct lang_vm *vm, uint32_t line, uint32_t col, const char *what)
{
	machine_error(vm, vm->file, line, col, "%s", what);
	return -1;
}

static int fail(struct compiler *c, const char *what)
{
	return fail_at(c->vm, c->t.line, c->t.col, what);
}

static int fail_word(struct compiler *c, const char *what)
{
	char buf[64];

	machine_error(c->vm, c->vm->file, c->t.line, c->t.col, "%s: %s", what,
		      shown(&c->t, buf, sizeof buf));
	return -1;
}

static bool has_dot(const char *s, size_t len)
{
	while (len--)
		if (*s++ == '.')
			return true;
	return false;
}

static int fail_door_word(struct compiler *c, const char *hint)
{
	char buf[64];

	machine_error(c->vm, c->vm->file, c->t.line, c->t.col, "unknown word: %s (%s)",
		      shown(&c->t, buf, sizeof buf), hint);
	return -1;
}

static void mark(struct lang_vm *vm)
{
	vm->mark_code = vm->code.pos;
	vm->mark_pos = vm->npos;
	vm->mark_words = vm->nwords;
	vm->mark_data = vm->data_here;
}

/* After an error: take back the open line or definition. */
static void take_back(struct lang_vm *vm)
{
	if (vm->defining || vm->line_open) {
		vm->code.pos = vm->mark_code;
		vm->npos = vm->mark_pos;
		dict_truncate(vm, vm->mark_words);
		vm->data_here = vm->mark_data;
	}
	vm->code.full = false;
	vm->defining = false;
	vm->line_open = false;
	vm->nctl = 0;
	machine_reset_stack(vm);
}

/* Code for the current word follows: open a line at top level, and
 * record the word's position. */
static int begin_code(struct compiler *c)
{
	struct lang_vm *vm = c->vm;
	struct lang_pos *p;

	if (!vm->defining && !vm->line_open) {
		vm->line_open = true;
		mark(vm);
	}
	if (vm->npos == LANG_POS_MAX)
		return fail(c, "code space full (too many words)");
	p = &vm->pos[vm->npos++];
	p->code_off = (uint32_t)vm->code.pos;
	p->line = c->t.line;
	p->col = c->t.col > UINT16_MAX ? UINT16_MAX : (uint16_t)c->t.col;
	p->file = vm->file;
	return 0;
}

static int check_full(struct compiler *c)
{
	return c->vm->code.full ? fail(c, "code space full") : 0;
}

/* Run the open line, then take its code back. */
static int run_line(struct compiler *c)
{
	struct lang_vm *vm = c->vm;
	int err;

	if (!vm->line_open)
		return 0;
	emit_return(&vm->code, 0);
	if (vm->code.full)
		return fail(c, "code space full");
	err = machine_run(vm, vm->mark_code, c->t.line, c->t.col);
	if (err)
		return -1; /* reported; the caller takes the line back */
	vm->code.pos = vm->mark_code;
	vm->npos = vm->mark_pos;
	vm->line_open = false;
	return 0;
}

static const char *unclosed(const struct lang_ctl *k)
{
	switch (k->kind) {
	case CTL_IF: return "if without then";
	case CTL_ELSE: return "else without then";
	case CTL_BEGIN: return "begin without until or repeat";
	case CTL_WHILE: return "while without repeat";
	default: return "do without loop";
	}
}

static int push_ctl(struct compiler *c, enum lang_ctl_kind kind, size_t at, size_t top)
{
	struct lang_vm *vm = c->vm;
	struct lang_ctl *k;

	if (vm->nctl == LANG_CTL_MAX)
		return fail(c, "control structures nested too deep");
	k = &vm->ctl[vm->nctl++];
	k->kind = (uint8_t)kind;
	k->at = at;
	k->top = top;
	k->line = c->t.line;
	k->col = c->t.col;
	return 0;
}

/* The innermost open structure, if it is one of the kinds in `kinds` (a
 * bit per kind); else an error naming the word that needed it. */
static struct lang_ctl *top_ctl(struct compiler *c, unsigned kinds, const char *err)
{
	struct lang_vm *vm = c->vm;
	struct lang_ctl *k = vm->nctl ? &vm->ctl[vm->nctl - 1] : NULL;

	if (!k || !(kinds & (1u << k->kind))) {
		fail(c, err);
		return NULL;
	}
	return k;
}

static int open_loops(const struct lang_vm *vm)
{
	int n = 0;

	for (size_t i = 0; i < vm->nctl; i++)
		n += vm->ctl[i].kind == CTL_DO;
	return n;
}

/* The name after a defining word. */
static int read_name(struct compiler *c, struct token *name)
{
	uint32_t line = c->t.line, col = c->t.col;

	if (!reader_word(&c->r, name))
		return fail_at(c->vm, line, col, "missing name");
	if (name->len > LANG_NAME_MAX) {
		c->t = *name;
		return fail_word(c, "name too long");
	}
	return 0;
}

/* What a defining word (: variable constant) needs: top level, the line
 * before it run. */
static int before_defining(struct compiler *c, const char *inside_def)
{
	if (c->vm->defining)
		return fail(c, inside_def);
	if (c->vm->nctl)
		return fail(c, "definition inside a control structure");
	return run_line(c);
}

static int compile_string(struct compiler *c, bool print)
{
	struct lang_vm *vm = c->vm;
	struct token s;

	if (!reader_until(&c->r, '"', true, &s))
		return fail(c, "unterminated string");
	if (begin_code(c))
		return -1;
	if (s.len > sizeof vm->data - vm->data_here)
		return fail(c, "data space full");
	memcpy(vm->data + vm->data_here, s.s, s.len);
	emit_literal(&vm->code, (int64_t)(uintptr_t)(vm->data + vm->data_here));
	emit_literal(&vm->code, (int64_t)s.len);
	vm->data_here += s.len;
	if (print)
		emit_helper(&vm->code, words_type_fn(), 2, 0);
	return 0;
}

static int compile_colon(struct compiler *c)
{
	struct lang_vm *vm = c->vm;
	struct token name;
	struct lang_word *w;

	if (before_defining(c, "nested definition") || read_name(c, &name))
		return -1;
	mark(vm);
	vm->defining = true;
	w = dict_add(vm, name.s, name.len, WORD_DEFINED, (int64_t)vm->code.pos);
	if (!w)
		return fail(c, "dictionary full");
	w->hidden = true;
	vm->def_word = vm->nwords - 1;
	if (begin_code(c))
		return -1;
	emit_prologue(&vm->code);
	return 0;
}

static int compile_semicolon(struct compiler *c)
{
	struct lang_vm *vm = c->vm;

	if (!vm->defining)
		return fail(c, "; outside a definition");
	if (vm->nctl) {
		struct lang_ctl *k = &vm->ctl[vm->nctl - 1];
		return fail_at(vm, k->line, k->col, unclosed(k));
	}
	if (begin_code(c))
		return -1;
	emit_return(&vm->code, 0);
	if (check_full(c))
		return -1;
	vm->words[vm->def_word].hidden = false;
	vm->defining = false;
	return 0;
}

static int compile_constant(struct compiler *c, bool variable)
{
	struct lang_vm *vm = c->vm;
	struct token name;
	int64_t value;

	if (before_defining(c, variable ? "variable inside a definition"
					: "constant inside a definition") ||
	    read_name(c, &name))
		return -1;
	if (variable) {
		size_t at = (vm->data_here + 7) & ~(size_t)7;

		if (at + 8 > sizeof vm->data)
			return fail(c, "data space full");
		memset(vm->data + at, 0, 8);
		vm->data_here = at + 8;
		value = (int64_t)(uintptr_t)(vm->data + at);
	} else {
		if (vm->regs.sp == vm->regs.sbase)
			return fail(c, "stack underflow");
		value = *(int64_t *)(uintptr_t)vm->regs.sp;
		vm->regs.sp += 8;
	}
	if (!dict_add(vm, name.s, name.len, WORD_CONSTANT, value))
		return fail(c, "dictionary full");
	return 0;
}

#define KIND(k) (1u << (k))

static int compile_control(struct compiler *c, enum lang_compiler_word cw)
{
	struct lang_vm *vm = c->vm;
	struct emit *e = &vm->code;
	struct lang_ctl *k;
	size_t at;

	if (begin_code(c))
		return -1;
	switch (cw) {
	case CW_IF:
		at = emit_branch_if_zero(e);
		return push_ctl(c, CTL_IF, at, 0);
	case CW_ELSE:
		if (!(k = top_ctl(c, KIND(CTL_IF), "else without if")))
			return -1;
		at = emit_jump(e);
		emit_patch(e, k->at, e->pos);
		k->kind = CTL_ELSE;
		k->at = at;
		k->line = c->t.line;
		k->col = c->t.col;
		return 0;
	case CW_THEN:
		if (!(k = top_ctl(c, KIND(CTL_IF) | KIND(CTL_ELSE), "then without if")))
			return -1;
		emit_patch(e, k->at, e->pos);
		vm->nctl--;
		return 0;
	case CW_BEGIN:
		return push_ctl(c, CTL_BEGIN, 0, e->pos);
	case CW_UNTIL:
		if (!(k = top_ctl(c, KIND(CTL_BEGIN), "until without begin")))
			return -1;
		emit_step(e);
		emit_patch(e, emit_branch_if_zero(e), k->top);
		vm->nctl--;
		return 0;
	case CW_WHILE:
		if (!(k = top_ctl(c, KIND(CTL_BEGIN), "while without begin")))
			return -1;
		k->kind = CTL_WHILE;
		k->at = emit_branch_if_zero(e);
		k->line = c->t.line;
		k->col = c->t.col;
		return 0;
	case CW_REPEAT:
		if (!(k = top_ctl(c, KIND(CTL_WHILE), "repeat without while")))
			return -1;
		emit_step(e);
		emit_patch(e, emit_jump(e), k->top);
		emit_patch(e, k->at, e->pos);
		vm->nctl--;
		return 0;
	case CW_DO:
		at = emit_do(e);
		return push_ctl(c, CTL_DO, at, e->pos);
	case CW_LOOP:
		if (!(k = top_ctl(c, KIND(CTL_DO), "loop without do")))
			return -1;
		emit_loop(e, k->top);
		emit_patch(e, k->at, e->pos);
		vm->nctl--;
		return 0;
	case CW_I:
	case CW_J:
		if (open_loops(vm) < (cw == CW_I ? 1 : 2))
			return fail(c, cw == CW_I ? "i outside a do loop" : "j outside two do loops");
		emit_op(e, cw == CW_I ? OP_I : OP_J);
		return 0;
	case CW_EXIT:
		emit_return(e, open_loops(vm));
		return 0;
	case CW_RECURSE:
		if (!vm->defining)
			return fail(c, "recurse outside a definition");
		emit_call(e, (size_t)vm->words[vm->def_word].value);
		return 0;
	default:
		return fail(c, "internal: not a control word");
	}
}

static int compile_compiler_word(struct compiler *c, enum lang_compiler_word cw)
{
	struct lang_vm *vm = c->vm;

	switch (cw) {
	case CW_COLON:
		return compile_colon(c);
	case CW_SEMICOLON:
		return compile_semicolon(c);
	case CW_VARIABLE:
	case CW_CONSTANT:
		return compile_constant(c, cw == CW_VARIABLE);
	case CW_IMMEDIATE:
		if (vm->defining)
			return fail(c, "immediate inside a definition");
		if (vm->nwords == 0 || vm->words[vm->nwords - 1].kind != WORD_DEFINED)
			return fail(c, "immediate: the last word is not a definition");
		vm->words[vm->nwords - 1].immediate = true;
		return 0;
	case CW_PAREN: {
		struct token s;
		if (!reader_until(&c->r, ')', false, &s))
			return fail(c, "unterminated comment");
		return 0;
	}
	case CW_BACKSLASH:
		reader_skip_line(&c->r);
		return 0;
	case CW_SQUOTE:
	case CW_DOTQUOTE:
		return compile_string(c, cw == CW_DOTQUOTE);
	default:
		return compile_control(c, cw);
	}
}

static int compile_word(struct compiler *c)
{
	struct lang_vm *vm = c->vm;
	struct lang_word *w = dict_find(vm, c->t.s, c->t.len);
	int64_t n;

	if (w && w->kind == WORD_COMPILER) {
		if (compile_compiler_word(c, (enum lang_compiler_word)w->value))
			return -1;
		return check_full(c);
	}
	if (w && w->kind == WORD_DEFINED && w->immediate && vm->defining)
		return machine_run(vm, (size_t)w->value, c->t.line, c->t.col) ? -1 : 0;
	if (!w && !reader_number(c->t.s, c->t.len, &n)) {
		if (reader_looks_numeric(c->t.s, c->t.len))
			return fail_word(c, "bad number");
		if (vm->door_hint && has_dot(c->t.s, c->t.len))
			return fail_door_word(c, vm->door_hint);
		return fail_word(c, "unknown word");
	}
	if (begin_code(c))
		return -1;
	if (!w)
		emit_literal(&vm->code, n);
	else if (w->kind == WORD_OP)
		emit_op(&vm->code, (enum lang_op)w->value);
	else if (w->kind == WORD_HELPER && w->with_data) {
		emit_literal(&vm->code, w->value);
		emit_helper(&vm->code, w->fn, w->in + 1, w->out);
	} else if (w->kind == WORD_HELPER)
		emit_helper(&vm->code, w->fn, w->in, w->out);
	else if (w->kind == WORD_DEFINED)
		emit_call(&vm->code, (size_t)w->value);
	else
		emit_literal(&vm->code, w->value);
	return check_full(c);
}

/* At the end of the script: nothing may be left open. */
static int finish(struct compiler *c)
{
	struct lang_vm *vm = c->vm;

	if (vm->nctl) {
		struct lang_ctl *k = &vm->ctl[vm->nctl - 1];
		return fail_at(vm, k->line, k->col, unclosed(k));
	}
	if (vm->defining) {
		const struct lang_pos *p = &vm->pos[vm->mark_pos];
		char msg[80];

		fmt_snprintf(msg, sizeof msg, "unterminated definition of %s",
			     vm->words[vm->def_word].name);
		return fail_at(vm, p->line, p->col, msg);
	}
	return run_line(c);
}

enum lm_err lang_eval_lines(struct lang_vm *vm, const char *file, uint32_t first_line,
			    const char *text, size_t len, bool more)
{
	struct compiler c = { .vm = vm };
	uint32_t last_line = 0;

	vm->file = machine_file(vm, file);
	vm->error[0] = '\0';
	reader_init(&c.r, text, len);
	c.r.line = first_line;
	while (reader_word(&c.r, &c.t)) {
		if (c.t.line != last_line && !vm->defining && vm->nctl == 0 && run_line(&c))
			goto failed;
		last_line = c.t.line;
		if (compile_word(&c))
			goto failed;
	}
	if (more && (vm->defining || vm->nctl))
		return LM_ERR_BUSY;
	if (finish(&c) == 0)
		return LM_OK;
failed:
	take_back(vm);
	return LM_ERR_FORMAT;
}

enum lm_err lang_eval(struct lang_vm *vm, const char *file, const char *text, size_t len)
{
	return lang_eval_lines(vm, file, 1, text, len, false);
}
