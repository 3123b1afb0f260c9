/*
 * Pipes (see pipe.h): a ring buffer of PIPE_SIZE bytes in a page of its
 * own, with counts of readers and writers.
 *
 * Owns a table of PIPE_MAX pipes. A reader or writer that must wait puts a
 * node (on its own stack) on the pipe's list of waiters and waits for
 * THREAD_EV_SERVICE; any change a waiter could be waiting for (bytes in,
 * bytes out, the last writer or reader gone) wakes the whole list, and
 * each woken thread checks again. The same event is how an untrusted
 * process's ending reaches a thread blocked here (kernel/process.c): the
 * caller's pipe_stop then says give up. A thread that wakes takes its
 * node off the list itself, so no node outlives its frame. Each end also
 * counts how many times it was opened, so that a named pipe's open can
 * wait for the other end's (pipe_wait_other), as Linux's fifo_open does.
 *
 * Locking: each pipe's lock (interrupts off) guards its buffer, counts and
 * waiters; table_lock guards which slots are used.
 */
#include <stddef.h>

#include "arch/spinlock.h"
#include "arch/vm.h"
#include "core/platform.h"
#include "core/thread.h"
#include "kernel/pipe.h"
#include "kernel/pmm.h"
#include "lib/string.h"

struct waiter {
	struct thread *thread;
	struct waiter *next;
};

struct pipe {
	struct spinlock lock;
	bool used;
	uint32_t readers, writers;
	uint64_t opened[2];    /* pipe_open calls of each end (enum pipe_end) */
	uint8_t *buf;          /* PIPE_SIZE bytes: a page */
	uint64_t page;
	uint32_t head, held;   /* the oldest byte, and how many */
	struct waiter *waiters;
};

static struct pipe pipes[PIPE_MAX];
static struct spinlock table_lock = SPINLOCK_INIT;
static unsigned live;

enum lm_err pipe_create(struct pipe **out)
{
	uint64_t page = pmm_alloc_page();
	struct pipe *p = NULL;
	bool irq;

	if (!page)
		return LM_ERR_NOMEM;
	irq = plat_spin_lock(&table_lock);
	for (int i = 0; i < PIPE_MAX && !p; i++)
		if (!pipes[i].used)
			p = &pipes[i];
	if (p) {
		*p = (struct pipe){.lock = SPINLOCK_INIT, .used = true, .readers = 1,
				   .writers = 1, .buf = phys_to_virt(page), .page = page};
		live++;
	}
	plat_spin_unlock(&table_lock, irq);
	if (!p) {
		pmm_free_page(page);
		return LM_ERR_FULL;
	}
	*out = p;
	return LM_OK;
}

/* Wake every waiter. Under p's lock. */
static void wake_all(struct pipe *p)
{
	for (struct waiter *w = p->waiters; w; w = w->next)
		thread_signal(w->thread, THREAD_EV_SERVICE);
	p->waiters = NULL;
}

/* Take w off p's list if it is still there. Under p's lock. */
static void unlist(struct pipe *p, struct waiter *w)
{
	for (struct waiter **at = &p->waiters; *at; at = &(*at)->next)
		if (*at == w) {
			*at = w->next;
			return;
		}
}

/* Wait for a change: list w, drop the lock, wait, take the lock again
 * (its irq in *irq). False if stop says give up. *left: whether stop's
 * leave was called (the first wait calls it; the caller calls retake). */
static bool wait_change(struct pipe *p, struct waiter *w, bool *irq, const struct pipe_stop *stop,
			bool *left)
{
	w->thread = thread_current();
	w->next = p->waiters;
	p->waiters = w;
	plat_spin_unlock(&p->lock, *irq);
	if (stop && stop->leave && !*left) {
		stop->leave(stop->ctx);
		*left = true;
	}
	thread_wait(THREAD_EV_SERVICE);
	*irq = plat_spin_lock(&p->lock);
	unlist(p, w);
	return !(stop && stop->stop && stop->stop(stop->ctx));
}

void pipe_open(struct pipe *p, enum pipe_end end)
{
	bool irq = plat_spin_lock(&p->lock);

	if (end == PIPE_READER)
		p->readers++;
	else
		p->writers++;
	p->opened[end]++;
	wake_all(p); /* a named pipe's open waiting for this end */
	plat_spin_unlock(&p->lock, irq);
}

uint32_t pipe_ends(struct pipe *p, enum pipe_end end)
{
	bool irq = plat_spin_lock(&p->lock);
	uint32_t n = end == PIPE_READER ? p->readers : p->writers;

	plat_spin_unlock(&p->lock, irq);
	return n;
}

void pipe_close(struct pipe *p, enum pipe_end end)
{
	bool irq = plat_spin_lock(&p->lock), gone;

	if (end == PIPE_READER)
		p->readers--;
	else
		p->writers--;
	if (!p->readers || !p->writers)
		wake_all(p); /* the end, or writers that now fail */
	gone = !p->readers && !p->writers;
	plat_spin_unlock(&p->lock, irq);
	if (!gone)
		return;
	pmm_free_page(p->page);
	irq = plat_spin_lock(&table_lock);
	p->used = false;
	live--;
	plat_spin_unlock(&table_lock, irq);
}

/* The end of a call: p's lock given back, then stop's retake, if its
 * leave was called. */
static void done(struct pipe *p, bool irq, const struct pipe_stop *stop, bool left)
{
	plat_spin_unlock(&p->lock, irq);
	if (left)
		stop->retake(stop->ctx);
}

enum lm_err pipe_read(struct pipe *p, void *buf, uint64_t len, bool nonblock,
		      const struct pipe_stop *stop, uint64_t *got)
{
	struct waiter w;
	uint8_t *out = buf;
	bool irq = plat_spin_lock(&p->lock), left = false;
	uint64_t n = 0;

	*got = 0;
	while (len && !p->held && p->writers) {
		if (nonblock) {
			plat_spin_unlock(&p->lock, irq);
			return LM_ERR_BUSY;
		}
		if (!wait_change(p, &w, &irq, stop, &left)) {
			done(p, irq, stop, left);
			return LM_ERR_RESET;
		}
	}
	while (n < len && p->held) {
		uint32_t chunk = PIPE_SIZE - p->head;

		if (chunk > p->held)
			chunk = p->held;
		if (chunk > len - n)
			chunk = (uint32_t)(len - n);
		memcpy(out + n, p->buf + p->head, chunk);
		p->head = (p->head + chunk) % PIPE_SIZE;
		p->held -= chunk;
		n += chunk;
	}
	if (n)
		wake_all(p); /* room for writers */
	done(p, irq, stop, left);
	*got = n;
	return LM_OK;
}

/* Put up to len bytes in; how many. Under p's lock. */
static uint64_t put_in(struct pipe *p, const uint8_t *in, uint64_t len)
{
	uint64_t n = 0;

	while (n < len && p->held < PIPE_SIZE) {
		uint32_t tail = (p->head + p->held) % PIPE_SIZE;
		uint32_t chunk = tail >= p->head ? PIPE_SIZE - tail : p->head - tail;

		if (chunk > len - n)
			chunk = (uint32_t)(len - n);
		memcpy(p->buf + tail, in + n, chunk);
		p->held += chunk;
		n += chunk;
	}
	return n;
}

enum lm_err pipe_write(struct pipe *p, const void *buf, uint64_t len, bool nonblock,
		       const struct pipe_stop *stop, uint64_t *put)
{
	const uint8_t *in = buf;
	struct waiter w;
	enum lm_err err = LM_OK;
	bool irq = plat_spin_lock(&p->lock), left = false;
	uint64_t n = 0;

	while (n < len) {
		uint64_t room = PIPE_SIZE - p->held;

		if (!p->readers) {
			err = LM_ERR_CLOSED;
			break;
		}
		/* A write of PIPE_SIZE or less goes in whole, or waits. */
		if (room && (len > PIPE_SIZE || room >= len - n)) {
			uint64_t k = put_in(p, in + n, len - n);

			n += k;
			wake_all(p); /* bytes for readers */
			continue;
		}
		if (nonblock) {
			err = n ? LM_OK : LM_ERR_BUSY;
			break;
		}
		if (!wait_change(p, &w, &irq, stop, &left)) {
			err = LM_ERR_RESET;
			break;
		}
	}
	done(p, irq, stop, left);
	*put = n;
	return err;
}

enum lm_err pipe_wait_other(struct pipe *p, enum pipe_end end, const struct pipe_stop *stop)
{
	enum pipe_end other = end == PIPE_READER ? PIPE_WRITER : PIPE_READER;
	const uint32_t *ends = other == PIPE_READER ? &p->readers : &p->writers;
	bool irq = plat_spin_lock(&p->lock), left = false;
	uint64_t seen = p->opened[other];
	enum lm_err err = LM_OK;
	struct waiter w;

	while (!err && !*ends && p->opened[other] == seen)
		if (!wait_change(p, &w, &irq, stop, &left))
			err = LM_ERR_RESET;
	done(p, irq, stop, left);
	return err;
}

uint64_t pipe_held(struct pipe *p)
{
	bool irq = plat_spin_lock(&p->lock);
	uint64_t n = p->held;

	plat_spin_unlock(&p->lock, irq);
	return n;
}

unsigned pipe_count(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}
