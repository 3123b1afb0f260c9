/*
 * Everything arch/ calls above itself: the whole list.
 *
 * arch/ is the floor beneath core/ and kernel/: they include its headers
 * (arch/<name>/include/arch/), and it includes none of theirs. What it needs
 * from above is declared here, once for every architecture, and nowhere
 * else in arch/. The files that implement these include this header too,
 * so the compiler checks that both sides agree.
 *
 * Adding a name here is a decision about layering: prefer passing what the
 * architecture needs as an argument.
 */
#ifndef ARCH_UPCALLS_H
#define ARCH_UPCALLS_H

#include <stddef.h>
#include <stdint.h>

struct thread;
struct trap_frame;

/* kernel/panic.c, kernel/console.c: saying what went wrong. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* kernel/pmm.c, kernel/kstack.c: memory for page tables and IST stacks. */
uint64_t pmm_alloc_zeroed_page(void);
void pmm_free_page(uint64_t phys);
uintptr_t kstack_alloc(unsigned pages);

/* kernel/ksyms.c: naming code addresses in backtraces. */
const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset);
void ksyms_format(uintptr_t addr, char *buf, size_t size);

/* Entered from assembly. kernel/main.c: the boot hart's first C code (the
 * other harts' is passed to them as an address, in ap_boot_params);
 * kernel/trap.c: every trap, returning the frame to resume; core/thread.c:
 * a new thread's first code; core/sched.c: what every resumed context does
 * first. */
void kmain(uint32_t magic, uint32_t info);
struct trap_frame *trap_dispatch(struct trap_frame *f);
void thread_start(struct thread *prev);
void sched_finish(struct thread *prev);

#endif
