/*
 * Running lwIP: every call into lwIP holds its core lock (lwIP's
 * LOCK_TCPIP_CORE, a sleeping mutex of sys_arch.c). The Net door's callers
 * are other programs' threads, whose stack may be one 4 KiB page with most
 * of it in use (an httpd connection); lwIP's calls go deep (a send runs
 * TCP, IP, ARP and the Ethernet door). So net_core_run, holding the lock,
 * runs fn on a stack of the net program's own, CORE_STACK bytes: one is
 * enough, since only the lock's holder uses it. The thread stays the same
 * thread (the scheduler finds the current thread through the hart, not
 * the stack pointer), and may sleep there (a full transmit ring).
 *
 * The rest of a round of a call, taking the core lock above all (a
 * waiter, the Timer door's frames, an interrupt's), would still take the
 * caller's page: a Net door routine puts its arguments in a record and
 * runs each round with net_call_run, on one of the program's call stacks
 * (8 KiB each, CALL_STACKS of them), and gives it back before it sleeps
 * for data, so a thread blocked in recv holds none. With all in use the
 * caller yields until one is free. The kernel does not preempt a thread
 * running off its own stack; a round there runs until it waits.
 */
#ifndef LEMMINGS_NET_CORE_H
#define LEMMINGS_NET_CORE_H

void net_core_run(void (*fn)(void *), void *arg);
void net_call_run(void (*fn)(void *), void *arg);
/* Once, before the first call. */
void net_call_stacks_init(void);

#endif
