/*
 * The init language's built-in words: the native ones (arch/lang_emit.h),
 * the ones written in C (output, division, dump, words) and the compiler's
 * own (':', 'if', 's"' ...), which lang/compile.c carries out.
 */
#ifndef LANG_WORDS_H
#define LANG_WORDS_H

#include "lang/lang.h"

enum lang_compiler_word {
	CW_COLON, CW_SEMICOLON, CW_IF, CW_ELSE, CW_THEN, CW_BEGIN, CW_UNTIL, CW_WHILE,
	CW_REPEAT, CW_DO, CW_LOOP, CW_I, CW_J, CW_EXIT, CW_RECURSE, CW_IMMEDIATE,
	CW_VARIABLE, CW_CONSTANT, CW_PAREN, CW_BACKSLASH, CW_SQUOTE, CW_DOTQUOTE,
};

/* Errors of the built-in helpers (after the runtime's checks). */
enum lang_words_err {
	LANG_ERR_DIVZERO = LANG_RT_STUBS,  /* / or mod by zero */
	LANG_ERR_LENGTH,                   /* type or dump: a length out of range */
	LANG_ERR_BUILTIN_END,
};

/* type and dump show at most this many bytes at once. */
#define LANG_TYPE_MAX 65536

/* Put the built-in words in a fresh dictionary; false if it is too small. */
bool words_install(struct lang_vm *vm);

/* The helper behind ." (type). */
lang_helper_fn *words_type_fn(void);

/* Write to the machine's output. */
void words_write(struct lang_vm *vm, const char *s, size_t len);

#endif
