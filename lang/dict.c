/*
 * The init language's dictionary (dict.h). Each hash chain runs from the
 * newest word to the oldest, so that the first match is the visible one
 * and the newest words can be taken back by unlinking chain heads.
 * Invariant: vm->hash[h] and every word's next index a word below nwords.
 */
#include "lang/dict.h"

#include "lib/string.h"

static unsigned hash_name(const char *s, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h % LANG_HASH_SIZE;
}

void dict_init(struct lang_vm *vm)
{
	vm->nwords = 0;
	for (size_t i = 0; i < LANG_HASH_SIZE; i++)
		vm->hash[i] = -1;
}

struct lang_word *dict_find(struct lang_vm *vm, const char *name, size_t len)
{
	if (len == 0 || len > LANG_NAME_MAX)
		return NULL;
	for (int i = vm->hash[hash_name(name, len)]; i >= 0; i = vm->words[i].next) {
		struct lang_word *w = &vm->words[i];

		if (w->len == len && !w->hidden && memcmp(w->name, name, len) == 0)
			return w;
	}
	return NULL;
}

struct lang_word *dict_add(struct lang_vm *vm, const char *name, size_t len,
			   enum lang_word_kind kind, int64_t value)
{
	struct lang_word *w;
	unsigned h;

	if (len == 0 || len > LANG_NAME_MAX || vm->nwords == LANG_WORDS_MAX)
		return NULL;
	h = hash_name(name, len);
	w = &vm->words[vm->nwords];
	memset(w, 0, sizeof *w);
	memcpy(w->name, name, len);
	w->len = (uint8_t)len;
	w->kind = (uint8_t)kind;
	w->value = value;
	w->next = vm->hash[h];
	vm->hash[h] = (int16_t)vm->nwords;
	vm->nwords++;
	return w;
}

void dict_truncate(struct lang_vm *vm, size_t n)
{
	while (vm->nwords > n) {
		struct lang_word *w = &vm->words[--vm->nwords];

		/* The newest word is at the head of its chain. */
		vm->hash[hash_name(w->name, w->len)] = w->next;
	}
}
