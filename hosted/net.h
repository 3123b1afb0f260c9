/*
 * The Net door in the hosted runtime (sdk/idl/net.idl; hosted/net.c): TCP
 * and UDP sockets on Linux's, for Lemmings threads that block.
 *
 * What the rest of the runtime calls: each hart sets up its epoll instance
 * once, and its idle loop (hosted/runtime.c) hands over to hosted_net_wait
 * when sockets are registered there, so that a hart with nothing to run
 * sleeps until a socket is ready, a kick comes or its timer is due. A busy
 * hart looks now and then too: hosted/net.c implements core/platform.h's
 * plat_poll_busy.
 */
#ifndef HOSTED_NET_H
#define HOSTED_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Create this hart's epoll instance and its kick descriptor; before the
 * hart runs threads. Exits the process if Linux refuses them. */
void hosted_net_init_hart(uint32_t hart);

/*
 * Move image (size bytes, malloc'ed: the boot archive) into a file mapped
 * read-only (hosted_net_archive_fd("/var/tmp"), or a memfd if that disk is
 * full: hosted_net_archive_fill), and return the mapping (image is freed);
 * or return image as it is if Linux refuses. Sends of large runs of that
 * memory (a file of the archive sent as it is) then go by sendfile, which
 * does not copy them. Once, before threads run (a second call returns its
 * image as it is).
 */
void *hosted_net_file_backed(void *image, size_t size);

/* A new unnamed file for the archive: in dir if that is a disk's file
 * system that makes one (O_TMPFILE), else a memfd; -1 if neither. */
int hosted_net_archive_fd(const char *dir);

/* Write image (size bytes) into fd, from hosted_net_archive_fd; if that
 * fails (fd is -1, or its disk is full), into a new memfd instead, fd
 * closed. Returns the descriptor that holds the image, or -1 if neither
 * could. */
int hosted_net_archive_fill(int fd, const void *image, size_t size);

/* Publish the Net door (after services_publish). */
void hosted_net_publish(void);

/* Whether sockets wait on this hart's epoll instance: its idle loop must
 * then sleep in hosted_net_wait rather than on its futex. */
bool hosted_net_active(uint32_t hart);

/*
 * Wake the threads whose sockets are ready on this hart's epoll instance,
 * waiting for one until deadline (ns; 0: no limit; a deadline already past:
 * not at all) unless a kick ends the wait. Called by the idle thread with
 * the hart marked in_irq, so that waking a thread never switches to it.
 */
void hosted_net_wait(uint64_t deadline);

/* End hart's hosted_net_wait (its kick descriptor). */
void hosted_net_kick(uint32_t hart);

/* Sockets open now (for tests and /stats-like reports). */
uint32_t hosted_net_open_sockets(void);

#endif
