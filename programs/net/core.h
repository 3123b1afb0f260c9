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
 * The rest of a call, its waits above all (a waiter, the Timer door's
 * frames, an interrupt's), would still take the caller's page: a Net door
 * routine puts its arguments in a record and runs its body with
 * net_call_run, on one of the program's call stacks (8 KiB each, 512 of
 * them; with all in use, on the caller's own). The kernel does not preempt
 * a thread running off its own stack; a call there runs until it waits.
 */
#ifndef LEMMINGS_NET_CORE_H
#define LEMMINGS_NET_CORE_H

void net_core_run(void (*fn)(void *), void *arg);
void net_call_run(void (*fn)(void *), void *arg);
/* Once, before the first call. */
void net_call_stacks_init(void);

#endif
