/*
 * The Console door (sdk/idl/console.idl): a program's text to the kernel
 * console (kernel/console.c), one call's bytes together. Its one routine
 * takes a byte buffer, so a gate can check and copy it for an untrusted
 * caller (docs/isolation.md); a trusted caller's text is checked readable
 * here, as the system table's routines check theirs.
 *
 * Owns nothing; the console's lock makes a call's text one piece.
 */
#include <lemmings/console.h>

#include "core/systab.h"
#include "kernel/console.h"
#include "kernel/console_door.h"
#include "services/service.h"

static console_status door_print(console_text text, uint64_t text_len)
{
	if (text_len > CONSOLE_TEXT_LEN_MAX)
		return LM_ERR_RANGE;
	if (text_len && !systab_readable(text, text_len))
		return LM_ERR_INVAL;
	console_write((const char *)text, text_len);
	return LM_OK;
}

static const struct console_door console_door = {
	.header = CONSOLE_DOOR_HEADER,
	.print = door_print,
};

void console_door_publish(void)
{
	service_register(&console_door, "console");
}
