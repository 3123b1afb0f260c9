/*
 * The system table (sdk/include/lemmings/systab.h), installed the same way
 * by the kernel and the hosted runtime.
 *
 * The door routines are shared and live here, with their checks. What
 * differs between the two homes is provided by each (kernel/systab.c,
 * hosted/systab.c): how text is logged, how a panicking thread is stopped,
 * and how a program's pointer is checked before the system reads it.
 *
 * Every routine is called by programs, so every argument is outside input:
 * bad pointers and impossible values get an error or NULL, never a fault in
 * the system's own code (in the kernel; see systab_readable).
 */
#ifndef CORE_SYSTAB_H
#define CORE_SYSTAB_H

#include <stdbool.h>
#include <stddef.h>

#include <lemmings/systab.h>

struct hart;

/* The most routines a door may have: far above any real door's, and low
 * enough that a door's size (its header, then 8 bytes a routine) cannot
 * overflow. door_register refuses more with LM_ERR_INVAL. */
#define SYSTAB_DOOR_ROUTINES_MAX 4096

/* The most bytes one log call writes. */
#define SYSTAB_LOG_MAX 4096

/*
 * How many of the len bytes at text a log call writes: no more than
 * SYSTAB_LOG_MAX, none from the first NUL on (len is a bound, as strnlen's
 * is, so lm_log(s, huge) prints the string, not the memory after it), and
 * none from the first page systab_readable refuses. 0 when text itself is
 * unreadable (or NULL).
 */
size_t systab_log_length(const char *text, size_t len);

/* Fill every LM_SYS_* slot of h's system table. */
void systab_install(struct hart *h);

/* Provided by each home: the log and panic routines, installed as they are,
 * and whether len bytes at p can be read without a fault (the kernel asks
 * its page tables; the hosted runtime refuses only NULL, and a thread that
 * passes a bad pointer faults and is stopped, hosted/fault.c). */
lm_sys_log_fn systab_log;
__attribute__((noreturn)) lm_sys_panic_fn systab_panic;
bool systab_readable(const void *p, size_t len);
/* The same for writing: every byte of it mapped writable (the kernel); not
 * NULL (the hosted runtime). */
bool systab_writable(const void *p, size_t len);

#endif
