/*
 * Starting Linux programs (kernel/linux/load.c).
 */
#ifndef KERNEL_LINUX_LOAD_H
#define KERNEL_LINUX_LOAD_H

#include <stdint.h>

#include <lemmings/err.h>

/*
 * Start command (its first word a path in the boot archive, the words its
 * arguments, docs/linux.md; a last two words `<` and a path give it that
 * file as standard input instead of the console) as a Linux process whose
 * parent is ppid; *id
 * names it for the Process door's wait and kill (untrusted_wait). Errors:
 * LM_ERR_FORMAT (a bad line: a quote left open, no word; a file that is
 * not an executable), LM_ERR_UNSUPPORTED (not static, not x86-64),
 * LM_ERR_NOENT (no such file), LM_ERR_FULL (too many processes),
 * LM_ERR_BUSY (no hart set apart), LM_ERR_NOMEM.
 */
enum lm_err linux_start(const char *command, uint64_t ppid, uint64_t *id);

/* Publish the Linux process door. */
void linux_boot(void);

#endif
