/*
 * The init language's dictionary: the words of a machine (struct
 * lang_word in vm->words), found by name through a hash table of chains.
 * A later word with the same name hides an earlier one. Words are taken
 * back only from the end (dict_truncate), when a definition fails.
 */
#ifndef LANG_DICT_H
#define LANG_DICT_H

#include "lang/lang.h"

void dict_init(struct lang_vm *vm);

/* The newest visible word with this name, or NULL. */
struct lang_word *dict_find(struct lang_vm *vm, const char *name, size_t len);

/* A new word, visible at once; NULL if the dictionary is full or the name
 * is empty or longer than LANG_NAME_MAX. */
struct lang_word *dict_add(struct lang_vm *vm, const char *name, size_t len,
			   enum lang_word_kind kind, int64_t value);

/* Take back every word from index n on. */
void dict_truncate(struct lang_vm *vm, size_t n);

#endif
