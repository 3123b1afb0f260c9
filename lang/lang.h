/*
 * The init language: a small Forth, compiled to machine code as it is read
 * (docs/init.md).
 *
 * A struct lang_vm is one machine: its dictionary, data space, data stack
 * and compiler state, plus three regions its home gives it (struct
 * lang_mem): the code region, which must be writable and executable, and
 * the return stack. lang_eval() reads a script, compiles each word into the
 * code region and runs top-level code a line at a time; a definition
 * (`: name ... ;`) stays in the code region for later lines and scripts.
 *
 * Errors: every error, found while reading, compiling or running, is one
 * line "file:line:col: error: what" written to the machine's output (and
 * kept in vm->error); the script stops there, the data stack is emptied and
 * a half-compiled definition or line is taken back; the machine stays
 * usable. A running script can only touch the data stack, its return stack
 * and the address range lang_set_memory_range() permits (the data space by
 * default); an infinite loop ends when its step budget runs out.
 *
 * Locking: none; a machine is used by one thread at a time.
 */
#ifndef LANG_LANG_H
#define LANG_LANG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/lang_emit.h"
#include "lemmings/err.h"

#define LANG_NAME_MAX 31      /* bytes of a word's name */
#define LANG_WORDS_MAX 512    /* dictionary entries, built-in words included */
#define LANG_DATA_SIZE 32768  /* bytes of data space: variables and strings */
#define LANG_STACK_CELLS 256  /* data stack depth */
#define LANG_CTL_MAX 32       /* control structures open at once */
#define LANG_POS_MAX 8192     /* words compiled and kept (for runtime error positions) */
#define LANG_FILES_MAX 16     /* script names kept for those positions */
#define LANG_FILE_NAME_MAX 48
#define LANG_ERROR_MAX 160    /* bytes of an error line */

/* The return stack must hold this much beneath any word, for the helpers
 * (C code) that run on it; the depth of recursion is what remains. */
#define LANG_RSTACK_MARGIN (32 * 1024)
#define LANG_RSTACK_MIN (LANG_RSTACK_MARGIN + 16 * 1024)

/* What the home provides (the host: hosted/lang_mem.c; the kernel:
 * kernel/lang_kernel.c). The code region must be readable,
 * writable and executable and smaller than 2 GiB; the return stack readable
 * and writable, at least LANG_RSTACK_MIN bytes. Both stay the machine's
 * until the home takes them back; the machine never frees them. */
struct lang_mem {
	void *code;
	size_t code_size;
	void *rstack;
	size_t rstack_size;
};

/* Where the machine's text goes: '.', 'type', 'emit', error lines. */
typedef void lang_write_fn(void *ctx, const char *s, size_t len);

/* A word written in C, for a platform's word set (port I/O, MSRs ...):
 * takes `in` cells and leaves `out` (both at most 8), see lang_helper_fn.
 * A helper may return LANG_ERR_HELPER + n for its own errors, named by
 * lang_add_words' `errors` list. */
struct lang_word_def {
	const char *name;
	lang_helper_fn *fn;
	uint8_t in, out;
};

/* Compile-time word kinds. */
enum lang_word_kind {
	WORD_OP,       /* a native word: value is an enum lang_op */
	WORD_HELPER,   /* a C word: fn */
	WORD_DEFINED,  /* value is the offset of its code */
	WORD_CONSTANT, /* pushes value (a variable's value is its address) */
	WORD_COMPILER, /* a compiler word (if, :, s" ...): value is its number */
};

struct lang_word {
	char name[LANG_NAME_MAX + 1];
	uint8_t len;
	uint8_t kind;
	bool immediate;   /* a defined word that runs while a definition is compiled */
	bool hidden;      /* being defined: not found until its ';' */
	bool with_data;   /* a helper given value: pushed before fn is called */
	uint8_t in, out;  /* a helper's stack effect */
	int16_t next;     /* the next word in the same hash chain, or -1 */
	int64_t value;
	lang_helper_fn *fn;
};

#define LANG_HASH_SIZE 256

/* Where compiled code came from: the word at code offset code_off. */
struct lang_pos {
	uint32_t code_off;
	uint32_t line;
	uint16_t col;
	uint16_t file;
};

enum lang_ctl_kind { CTL_IF, CTL_ELSE, CTL_BEGIN, CTL_WHILE, CTL_DO };

struct lang_ctl {
	uint8_t kind;
	size_t at;   /* the forward branch to patch */
	size_t top;  /* where a loop goes back to */
	uint32_t line, col;
};

/* Helpers' own error codes start here. */
#define LANG_ERR_HELPER 64

/* A helper may also return LANG_ERR_LM + e for an enum lm_err e (below
 * LM_ERR_COUNT): the error line gives lm_err_str(e). */
#define LANG_ERR_LM 32

/* A run that the home's guard stopped after a CPU fault (its words in
 * vm->fault). */
#define LANG_ERR_FAULT (LANG_ERR_HELPER - 1)

struct lang_vm;

/* A home's guard around every run (the kernel's catches CPU faults): it
 * returns vm->enter(&vm->regs, code); or, when the run faulted instead,
 * LANG_ERR_FAULT, with what happened in vm->fault and in vm->regs.fault_pc
 * an address in the compiled code just after the start of the word that
 * faulted (0 if it cannot tell). The machine then reports the fault as any
 * other error, at that word's position, and empties the data stack. */
typedef int lang_guard_fn(struct lang_vm *vm, void *ctx, const void *code);

struct lang_vm {
	struct lang_regs regs; /* first: generated code and helpers find the machine through it */
	struct emit code;
	lang_enter_fn *enter;
	lang_write_fn *write;
	void *write_ctx;
	uint64_t budget;       /* steps each run may take */
	int base;              /* 10 or 16: how '.' prints */

	struct lang_word words[LANG_WORDS_MAX];
	size_t nwords;
	int16_t hash[LANG_HASH_SIZE];

	uint8_t data[LANG_DATA_SIZE] __attribute__((aligned(16)));
	size_t data_here;
	int64_t stack[LANG_STACK_CELLS];

	struct lang_pos pos[LANG_POS_MAX];
	size_t npos;
	char files[LANG_FILES_MAX][LANG_FILE_NAME_MAX];
	size_t nfiles;

	/* The compiler: the definition or top-level line being compiled. */
	struct lang_ctl ctl[LANG_CTL_MAX];
	size_t nctl;
	bool defining;
	size_t def_word;       /* the word being defined */
	bool line_open;        /* top-level code compiled but not yet run */
	size_t mark_code, mark_pos, mark_words, mark_data; /* what an error takes back */
	uint16_t file;         /* the script being read */

	const char *const *helper_errors;
	size_t nhelper_errors;

	char error[LANG_ERROR_MAX];

	/* Added to the error for an unknown word with a '.' in its name (a
	 * door routine's shape) when set: why no door words exist here. */
	const char *door_hint;

	lang_guard_fn *guard;  /* NULL: runs are not guarded */
	void *guard_ctx;
	char fault[96];        /* the last fault the guard caught */
};

/* Set up a machine on the home's memory; LM_ERR_RANGE if a region is too
 * small. Output goes to write(ctx, ...), which may be NULL. */
enum lm_err lang_init(struct lang_vm *vm, const struct lang_mem *mem, lang_write_fn *write,
		      void *ctx);

/* Add a platform's words (hardware access, ...). `errors[i]` names the
 * helper error LANG_ERR_HELPER + i. LM_ERR_FULL if the dictionary is full,
 * LM_ERR_INVAL for a bad name (empty, over LANG_NAME_MAX bytes) or effect
 * (over 8 cells); the words before the bad one stay. */
enum lm_err lang_add_words(struct lang_vm *vm, const struct lang_word_def *defs, size_t n,
			   const char *const *errors, size_t nerrors);

/* A helper word with a value of its own, so that one fn serves many words
 * (a door's routines, say): the word pushes `data`, then calls fn, which
 * takes in + 1 cells, data on top, and leaves out. LM_ERR_INVAL for a bad
 * name or in over 7, LM_ERR_FULL if the dictionary is full. */
enum lm_err lang_add_data_word(struct lang_vm *vm, const char *name, lang_helper_fn *fn,
			       uint8_t in, uint8_t out, int64_t data);

/* Read, compile and run a script; `file` names it in error lines.
 * LM_OK, or LM_ERR_FORMAT after an error (its line in vm->error). */
enum lm_err lang_eval(struct lang_vm *vm, const char *file, const char *text, size_t len);

/* The same for a script given in pieces (a shell's lines): the text starts
 * at line first_line; with `more`, a definition or control structure left
 * open at its end is not an error but waits for the next piece
 * (LM_ERR_BUSY); the open top-level line runs when a piece ends with
 * nothing open. Without `more`, as lang_eval. */
enum lm_err lang_eval_lines(struct lang_vm *vm, const char *file, uint32_t first_line,
			    const char *text, size_t len, bool more);

/* Run every piece of compiled code through guard(vm, ctx, code). */
void lang_set_guard(struct lang_vm *vm, lang_guard_fn *guard, void *ctx);

/* Steps (backward branches and word entries) each run may take. */
void lang_set_budget(struct lang_vm *vm, uint64_t steps);

/* The addresses @ ! c@ c! +! type dump may touch: [lo, hi). The default is
 * the machine's data space; a kernel may permit all of memory. */
void lang_set_memory_range(struct lang_vm *vm, uintptr_t lo, uintptr_t hi);

/* The data stack, top last: copies at most max cells to out, returns the
 * depth. */
size_t lang_stack(const struct lang_vm *vm, int64_t *out, size_t max);

/* The i-th visible word's name, NULL past the end (a walk of the
 * dictionary: O(i)). */
const char *lang_word_name(const struct lang_vm *vm, size_t i);

#endif
