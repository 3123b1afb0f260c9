/*
 * Door routines called by name from the init language (docs/init.md,
 * "Calling doors"): for each published door that idlc described
 * (struct lm_door_desc, in every generated header), a word DOOR.ROUTINE
 * per routine it can call, e.g. kvstore.put ( key value -- status ).
 *
 * The word's arguments are its parameters in the IDL's order, the last on
 * top of the data stack; they go to rdi, rsi, rdx, rcx, r8, r9 as
 * docs/idl.md section 5 says, each cell whole (a narrower parameter's
 * upper bits are the callee's to ignore); a pointer is an address (a
 * variable's, a string's), 0 or inside the machine's memory range (the
 * data space on the host, all memory in the kernel) and, where the
 * platform can tell (the kernel), mapped: otherwise the word fails with
 * "bad address" before the call. A door that is given a mapped address of
 * the wrong kind (read-only, too short) may still fault inside its routine;
 * the kernel's guard ends the line, but a lock the routine held stays held. The result, if not null, is pushed, extended
 * from its width as its kind says (u32 zero-extended, s32 sign-extended).
 *
 * Not callable, and so given no word: a routine with a record passed by
 * value (kind R) among its parameters, more than six parameters (the rest
 * would go on the stack), or a record as its result (returned in rax:rdx,
 * or through a hidden pointer). Every routine of the system's IDL files
 * and of kvstore fits.
 *
 * The descriptions known are those of the headers included below: a door
 * published with an API ID none of them has is listed by `doors` as not
 * described.
 */
#include <lemmings/boot_archive.h>
#include <lemmings/harts.h>
#include <lemmings/irq.h>
#include <lemmings/kvstore.h>
#include <lemmings/loader.h>
#include <lemmings/memory.h>
#include <lemmings/net.h>
#include <lemmings/pci.h>
#include <lemmings/ping.h>
#include <lemmings/threads.h>
#include <lemmings/timer.h>

#include "core/hallway.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "services/shell.h"

static const struct lm_door_desc *const descs[] = {
	&threads_door_desc, &timer_door_desc, &harts_door_desc, &boot_archive_door_desc,
	&loader_door_desc, &memory_door_desc, &pci_door_desc, &irq_door_desc,
	&net_door_desc, &kvstore_door_desc, &ping_door_desc,
};

static const struct lm_door_desc *desc_of(const struct lm_door *d)
{
	for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++)
		if (lm_api_id_equal(&descs[i]->api_id, &d->api_id) &&
		    descs[i]->routine_count == d->routine_count)
			return descs[i];
	return NULL;
}

static bool callable(const struct lm_routine_desc *r)
{
	return strlen(r->params) <= 6 && !strchr(r->params, 'R') && r->result != 'R';
}

/* A result in rax, as its kind says. */
static uint64_t widen(char kind, uint64_t v)
{
	switch (kind) {
	case 'b': return (uint8_t)v;
	case 'h': return (uint16_t)v;
	case 'w': return (uint32_t)v;
	case 'B': return (uint64_t)(int64_t)(int8_t)v;
	case 'H': return (uint64_t)(int64_t)(int16_t)v;
	case 'W': return (uint64_t)(int64_t)(int32_t)v;
	default: return v;
	}
}

static bool pointer_ok(struct lang_regs *regs, uint64_t addr)
{
	struct shell *sh = shell_of(regs);

	if (addr == 0)
		return true; /* the routine's to refuse */
	if (addr < regs->mem_lo || addr > regs->mem_hi_byte)
		return false;
	return !sh->pointer_ok || sh->pointer_ok(addr);
}

typedef uint64_t call6_fn(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* ( params... routine -- result? ): every routine's word calls this. */
static int h_door_call(struct lang_regs *regs)
{
	uint64_t *c = (uint64_t *)(uintptr_t)regs->sp;
	const struct shell_routine *r = (const struct shell_routine *)(uintptr_t)c[0];
	size_t n = strlen(r->desc->params);
	uint64_t a[6] = { 0 }, v;

	for (size_t i = 0; i < n; i++) {
		a[i] = c[n - i];
		if (r->desc->params[i] == 'p' && !pointer_ok(regs, a[i]))
			return LANG_ERR_LM + LM_ERR_FAULT;
	}
	/* Six registers whatever the routine takes: the ones it does not
	 * take are scratch to it (the System V convention). */
	v = ((call6_fn *)r->fn)(a[0], a[1], a[2], a[3], a[4], a[5]);
	regs->sp += 8 * (n + 1);
	if (r->desc->result != 'v') {
		regs->sp -= 8;
		*(uint64_t *)(uintptr_t)regs->sp = widen(r->desc->result, v);
	}
	return 0;
}

void shell_door_words(struct shell *sh)
{
	const struct lm_door *d;
	uint64_t cookie = 0, i = 0;

	if (hallway_count() == sh->doors_seen)
		return;
	while ((d = hallway_list(&cookie)) != NULL) {
		const struct lm_door_desc *desc;
		void *const *fns = (void *const *)(d + 1);

		if (i++ < sh->doors_seen || !(desc = desc_of(d)))
			continue;
		for (size_t k = 0; k < desc->routine_count; k++) {
			const struct lm_routine_desc *rd = &desc->routines[k];
			struct shell_routine *r;
			char name[LANG_NAME_MAX + 1];

			if (!callable(rd) || sh->nroutines == SHELL_ROUTINES_MAX)
				continue;
			if (fmt_snprintf(name, sizeof name, "%s.%s", desc->name, rd->name) >= sizeof name)
				continue;
			r = &sh->routines[sh->nroutines];
			r->desc = rd;
			r->fn = fns[k];
			if (lang_add_data_word(sh->vm, name, h_door_call, (uint8_t)strlen(rd->params),
					       rd->result != 'v', (int64_t)(uintptr_t)r) == LM_OK)
				sh->nroutines++;
		}
	}
	sh->doors_seen = i;
}

int shell_list_doors(struct lang_regs *regs)
{
	struct shell *sh = shell_of(regs);
	const struct lm_door *d;
	uint64_t cookie = 0;

	while ((d = hallway_list(&cookie)) != NULL) {
		const struct lm_door_desc *desc = desc_of(d);

		shell_printf(sh, "%s (%llu routines)%s", d->name ? d->name : "?",
			     (unsigned long long)d->routine_count, desc ? ":" : ": not described\n");
		if (!desc)
			continue;
		for (size_t k = 0; k < desc->routine_count; k++) {
			const struct lm_routine_desc *rd = &desc->routines[k];

			shell_printf(sh, " %s.%s%s", desc->name, rd->name, callable(rd) ? "" : "(no)");
		}
		shell_printf(sh, "\n");
	}
	return 0;
}
