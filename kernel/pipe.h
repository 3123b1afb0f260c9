/*
 * Pipes: a bounded byte buffer between writers and readers that block
 * (see kernel/pipe.c). Linux's pipe2 is built on them (kernel/linux/).
 */
#ifndef KERNEL_PIPE_H
#define KERNEL_PIPE_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#define PIPE_SIZE 4096 /* bytes held at most; a write of this or less is whole */
#define PIPE_MAX 128   /* pipes at once */

struct pipe;

enum pipe_end { PIPE_READER, PIPE_WRITER };

/* Whether a blocked call should give up (e.g. untrusted_stopping): asked
 * after each wake-up. NULL: never. If leave is not NULL, leave(ctx) is
 * called before the call first waits and retake(ctx) once it is done
 * waiting, outside the pipe's lock (a Linux read lets go of its process's
 * call lock meanwhile). */
struct pipe_stop {
	bool (*stop)(const void *ctx);
	const void *ctx;
	void (*leave)(const void *ctx), (*retake)(const void *ctx);
};

/* A new pipe with one reader and one writer. LM_ERR_FULL at PIPE_MAX pipes,
 * LM_ERR_NOMEM without a page for its buffer. */
enum lm_err pipe_create(struct pipe **out);

/* One more reader or writer (a dup, a fork's copy of a descriptor, a
 * named pipe's open); wakes a pipe_wait_other for that end. */
void pipe_open(struct pipe *p, enum pipe_end end);

/* How many readers or writers it has now (for poll, a FIFO's open). */
uint32_t pipe_ends(struct pipe *p, enum pipe_end end);

/*
 * A named pipe's open of end (Linux's fifo_open): return at once if the
 * other end is open, else wait until it is opened (pipe_open), even if it
 * is closed again before this wakes. LM_ERR_RESET if stop said so while it
 * waited.
 */
enum lm_err pipe_wait_other(struct pipe *p, enum pipe_end end, const struct pipe_stop *stop);

/* One fewer; the pipe is freed when none of either is left. The last
 * writer's close makes readers see the end; the last reader's makes
 * writers fail. Waiters of the other end are woken. */
void pipe_close(struct pipe *p, enum pipe_end end);

/*
 * Read up to len bytes into buf (a kernel buffer): whatever is there, at
 * least one byte, waiting while the pipe is empty and has a writer. *got
 * is how many; 0 with LM_OK at the end (no writer left, nothing held).
 * LM_ERR_BUSY if empty and nonblock; LM_ERR_RESET if stop said so while it
 * waited (nothing read).
 */
enum lm_err pipe_read(struct pipe *p, void *buf, uint64_t len, bool nonblock,
		      const struct pipe_stop *stop, uint64_t *got);

/*
 * Write len bytes from buf (a kernel buffer), waiting for room as needed;
 * len up to PIPE_SIZE goes in whole (never interleaved with another
 * writer's). *put is how many went in. LM_ERR_CLOSED if no reader is left
 * (Linux's EPIPE; *put may be short), LM_ERR_BUSY if nonblock and nothing
 * fits (a nonblocking write puts what fits), LM_ERR_RESET if stop said so
 * while it waited (*put: what went in before).
 */
enum lm_err pipe_write(struct pipe *p, const void *buf, uint64_t len, bool nonblock,
		       const struct pipe_stop *stop, uint64_t *put);

/* How many bytes it holds now (for FIONREAD and poll). */
uint64_t pipe_held(struct pipe *p);

/* How many pipes exist. */
unsigned pipe_count(void);

#endif
