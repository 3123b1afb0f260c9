/*
 * Gates (docs/isolation.md). An untrusted process reaches a door only by
 * `syscall`, naming a door token (from a find) and a routine of it. The
 * gate, on the process's own (set-apart) hart, only checks and copies:
 *
 *  - the door must be one the process was granted, the routine among those
 *    granted, and one a gate can call (its generated description, struct
 *    lm_gate_desc: every parameter an integer or a pointer to plain data,
 *    at most five, a result of one word or none);
 *  - each integer must lie in its IDL range, each pointer in the process's
 *    own space, readable (`constant`) or writable (`shared`, `unique`), for
 *    the size of what it points at; those bytes are copied into the gate's
 *    buffer, and the routine gets pointers into the buffer, never into the
 *    process's memory (core/gate_check.c, tested and fuzzed on the host).
 *
 * The routine then runs in one of the gate's threads, ordinary trusted
 * threads of the main scheduler, so never on a set-apart hart; the
 * process's thread waits. Results are copied back (`shared`, `unique`) and
 * the result word goes to rax, the carry flag clear. A refusal sets the
 * carry flag and puts an lm_err code in rax: LM_ERR_NOENT for a door or
 * routine not granted, LM_ERR_RANGE for an integer out of range or a byte
 * buffer too long, LM_ERR_FAULT for a pointer outside its memory or without
 * the access, LM_ERR_UNSUPPORTED for a routine no gate can call.
 *
 * Servers: each call outstanding has a gate thread of its own, so a routine
 * that blocks (timer:wait) holds one thread and delays no other process's
 * calls. A call that no server will take from the queue by itself (one
 * starting, one woken, one that has just finished a call and told its
 * caller, who may call again at once) signals an idle server, or spawns
 * one (one page) while fewer than GATE_SERVERS_MAX exist; past that it
 * waits in the queue for the first server free. So calls one after
 * another keep one server. Servers never end: idle ones wait for the next
 * call.
 *
 * The kernel's own code on a set-apart hart reaches a trusted program's
 * door the same way: gate_run hands a gate thread a function to run (the
 * Linux personality's socket calls on the Net door, kernel/linux/socket.c).
 *
 * The doors a gate knows are those of the IDL files, by their generated
 * descriptions (<lemmings/catalog.h>, made by tools/door-catalog): a grant
 * of another door, of a routine the door lacks, or of one no gate can call
 * is refused when the process starts, saying why (gate_grantable).
 *
 * Locking: queue_lock (interrupts off) guards the request queue, the idle
 * servers and the counts. A request lives on its caller's stack, and the
 * caller stays in the call until its server has released the request
 * (wake_caller), so the server may read the request and signal the caller
 * until then. A server is signalled only when a caller takes it off the
 * idle list, and waits right after going on it, so each signal is
 * consumed by that one wait.
 */
#include <stddef.h>

#include <lemmings/catalog.h>

#include "core/gate_check.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "kernel/aspace.h"
#include "kernel/console.h"
#include "kernel/gate.h"

struct request {
	const void *routine;
	void (*closure)(void *ctx); /* instead of routine: gate_run's */
	void *ctx;
	uint64_t owner; /* the calling process (struct gate's owner) */
	uint64_t args[5];
	uint64_t result;
	uint32_t ran_on;
	struct thread *caller;
	uint8_t state; /* enum request_state */
	struct request *next;
};

/* Where a request is: queued or running; done, its caller's wake-up under
 * way; released, its server done with it and with the caller. */
enum request_state { REQUEST_PENDING, REQUEST_DONE, REQUEST_RELEASED };

static struct spinlock queue_lock = SPINLOCK_INIT;
static struct request *queue_head, *queue_tail;
static struct thread *idle[GATE_SERVERS_MAX];
static uint32_t idle_count, servers;
/* Requests in the queue, and servers that will take one from it without
 * being signalled (starting, woken off the idle list, or just done with a
 * call): while takers >= queued, every queued request has one. */
static uint32_t queued, takers;
/* Each gate thread's slot (its thread's arg): taken (under queue_lock)
 * from the spawn on, and the process whose call it runs (0: none). */
static struct {
	bool taken;
	uint64_t caller;
} serving[GATE_SERVERS_MAX];
static uint64_t calls, calls_untrusted, running;

/* The catalog's index of the door with this ID, or LM_CATALOG_COUNT. */
static size_t index_of(const struct lm_api_id *id)
{
	size_t i = 0;

	while (i < LM_CATALOG_COUNT && !lm_api_id_equal(&lm_catalog_gates[i]->api_id, id))
		i++;
	return i;
}

static const struct lm_gate_desc *desc_of(const struct lm_api_id *id)
{
	size_t i = index_of(id);

	return i < LM_CATALOG_COUNT ? lm_catalog_gates[i] : NULL;
}

/*
 * Mark q done, wake its caller, and release q. The caller waits for done
 * (the wake-up is for that), then for released: until then it stays in the
 * call, so it is alive for the signal and q, on its stack, is still there.
 * Preemption is off from the mark to the release, so a caller on this hart
 * cannot run in between; one on another hart that sees done first waits
 * out the few instructions left.
 */
static void wake_caller(struct request *q)
{
	sched_preempt_off();
	__atomic_store_n(&q->state, REQUEST_DONE, __ATOMIC_RELEASE);
	thread_signal(q->caller, THREAD_EV_SERVICE);
	__atomic_store_n(&q->state, REQUEST_RELEASED, __ATOMIC_RELEASE);
	sched_preempt_on();
}

/* A gate thread: run each request's routine, here, on a trusted hart;
 * with none queued, go on the idle list and wait to be taken off it. */
static void serve(void *arg)
{
	uint32_t slot = (uint32_t)(uintptr_t)arg;

	for (;;) {
		uint64_t (*fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
		bool irq = plat_spin_lock(&queue_lock);
		struct request *q = queue_head;

		if (q && !(queue_head = q->next))
			queue_tail = NULL;
		takers--; /* this one: it takes q, or goes idle */
		if (q)
			queued--;
		else
			idle[idle_count++] = thread_current(); /* at most servers of them */
		plat_spin_unlock(&queue_lock, irq);
		if (!q) {
			thread_wait(THREAD_EV_SERVICE);
			continue;
		}
		__atomic_fetch_add(&running, 1, __ATOMIC_SEQ_CST);
		serving[slot].caller = q->owner;
		fn = (uint64_t (*)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t))q->routine;
		if (q->closure)
			q->closure(q->ctx);
		else
			q->result = fn(q->args[0], q->args[1], q->args[2], q->args[3], q->args[4]);
		serving[slot].caller = 0;
		q->ran_on = this_hart()->id;
		/* Not running, then counted: calls done and one running means
		 * the next has started (kernel/process_test.c reads them so). */
		__atomic_fetch_sub(&running, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&untrusted_harts, __ATOMIC_ACQUIRE) >> q->ran_on & 1)
			__atomic_fetch_add(&calls_untrusted, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&calls, 1, __ATOMIC_SEQ_CST);
		/* A taker again before the caller knows: its next call, made at
		 * once, is this server's, not a new one's. */
		irq = plat_spin_lock(&queue_lock);
		takers++;
		plat_spin_unlock(&queue_lock, irq);
		wake_caller(q);
	}
}

/* A free serving slot, taken, under queue_lock (servers < GATE_SERVERS_MAX). */
static uint32_t take_slot(void)
{
	uint32_t i = 0;

	while (serving[i].taken)
		i++;
	serving[i].taken = true;
	servers++;
	return i;
}

/* Start one more gate thread in slot (taken already). */
static enum lm_err spawn_server(uint32_t slot)
{
	struct thread_opts o = {.entry = serve, .arg = (void *)(uintptr_t)slot,
				.priority = PRIO_USER, .name = "gate", .hart = -1};
	enum lm_err err = thread_spawn(&o, NULL);

	if (err) {
		bool irq = plat_spin_lock(&queue_lock);

		serving[slot].taken = false;
		servers--;
		takers--;
		plat_spin_unlock(&queue_lock, irq);
	}
	return err;
}

/* A gate thread is one whose entry is serve; its arg is its slot. Every
 * lookup of an Address space handle asks (kernel/aspace.c), so this is a
 * test, not a search of the slots. */
uint64_t gate_caller(void)
{
	struct thread *self = thread_current();

	if (self->entry != serve)
		return 0;
	return serving[(uintptr_t)self->arg].caller;
}

enum lm_err gate_grantable(const struct gate_grant *g, struct gate_refusal *why)
{
	size_t i = index_of(&g->door);
	const struct lm_door_desc *names;
	const struct lm_gate_desc *d;

	*why = (struct gate_refusal){0};
	if (i == LM_CATALOG_COUNT) {
		why->why = "no IDL file describes this door";
		return LM_ERR_UNSUPPORTED;
	}
	if (lm_api_id_equal(&g->door, &threads_api_id)) {
		/* Its routines act on the calling thread (exit, park, wait),
		 * which would be the gate's own. */
		why->door = "threads";
		why->why = "its routines act on the calling thread, which would be the gate's";
		return LM_ERR_UNSUPPORTED;
	}
	names = lm_catalog_doors[i];
	d = lm_catalog_gates[i];
	why->door = names->name;
	for (uint64_t k = 0; k < 64; k++) {
		if (!(g->routines >> k & 1))
			continue;
		if (k >= d->routine_count) {
			why->why = "a routine past the door's last";
			return LM_ERR_NOENT;
		}
		if (d->routines[k].result == LM_GATE_NONE) {
			why->routine = names->routines[k].name;
			why->why = d->routines[k].why ? d->routines[k].why : "no gate can call it";
			return LM_ERR_UNSUPPORTED;
		}
	}
	return LM_OK;
}

void gate_start(void)
{
	bool irq = plat_spin_lock(&queue_lock);
	uint32_t slot = take_slot();

	takers++;
	plat_spin_unlock(&queue_lock, irq);
	if (spawn_server(slot))
		kprintf("gate: no thread yet: the first gated call will try again\n");
}

uint64_t gate_calls(void)
{
	return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}

uint64_t gate_calls_on_untrusted_harts(void)
{
	return __atomic_load_n(&calls_untrusted, __ATOMIC_RELAXED);
}

uint64_t gate_calls_running(void)
{
	return __atomic_load_n(&running, __ATOMIC_RELAXED);
}

uint32_t gate_servers(void)
{
	return __atomic_load_n(&servers, __ATOMIC_RELAXED);
}

/* Run q's routine in a gate thread of its own and wait for it. With no
 * server free and none to spawn, q waits for the first free (serve). */
static void run_trusted(struct request *q)
{
	struct thread *free_server = NULL;
	uint32_t slot = 0;
	bool irq, spawn = false;

	q->caller = thread_current();
	irq = plat_spin_lock(&queue_lock);
	if (queue_tail)
		queue_tail->next = q;
	else
		queue_head = q;
	queue_tail = q;
	if (++queued > takers) { /* q needs a server of its own */
		if (idle_count)
			free_server = idle[--idle_count], takers++;
		else if (servers < GATE_SERVERS_MAX)
			spawn = (slot = take_slot(), true), takers++;
	}
	plat_spin_unlock(&queue_lock, irq);
	if (free_server)
		thread_signal(free_server, THREAD_EV_SERVICE);
	else if (spawn && spawn_server(slot))
		kprintf("gate: no thread for a call: it waits for a busy one\n");
	while (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) == REQUEST_PENDING)
		thread_wait(THREAD_EV_SERVICE);
	while (__atomic_load_n(&q->state, __ATOMIC_ACQUIRE) != REQUEST_RELEASED)
		cpu_relax();
}

uint32_t gate_run(void (*fn)(void *ctx), void *ctx, uint64_t owner)
{
	struct request q = {.closure = fn, .ctx = ctx, .owner = owner};

	run_trusted(&q);
	return q.ran_on;
}

/* The caller's memory, for gate_check: its space. */
static bool space_read(void *ctx, uint64_t addr, void *dst, uint32_t size, bool writable)
{
	return aspace_read(*(aspace_space *)ctx, addr, dst, size, writable) == LM_OK;
}

static void space_write(void *ctx, uint64_t addr, const void *src, uint32_t size)
{
	aspace_write(*(aspace_space *)ctx, addr, src, size);
}

static void call(struct gate *g, aspace_space space, struct uvm_regs *r, struct gate_verdict *v)
{
	uint64_t token = r->rax >> LM_GATE_TOKEN_SHIFT, index = r->rax & 0xffff;
	const uint64_t regs[5] = {r->rdi, r->rsi, r->rdx, r->r8, r->r9};
	const struct gate_grant *grant;
	const struct lm_gate_routine *rt;
	const struct lm_gate_desc *d;
	const struct lm_door *door;
	const struct gate_memory m = {&space, space_read, space_write};
	struct request q = {0};

	r->rax = LM_ERR_NOENT;
	if (token < 0x1000 || token - 0x1000 >= g->count || index >= 64 ||
	    !((grant = &g->grants[token - 0x1000])->routines >> index & 1) ||
	    !(d = desc_of(&grant->door)) || index >= d->routine_count ||
	    !(door = lm_door_find(&grant->door)) || index >= door->routine_count) {
		v->refused = "not granted";
		return;
	}
	rt = &d->routines[index];
	switch (gate_check(rt, regs, g->buffer, GATE_BUFFER, &m, q.args)) {
	case LM_OK:
		break;
	case LM_ERR_RANGE:
		r->rax = LM_ERR_RANGE;
		v->refused = "a value out of its range (or a buffer too long)";
		return;
	case LM_ERR_FAULT:
		r->rax = LM_ERR_FAULT;
		v->refused = "a pointer outside its memory";
		return;
	default:
		r->rax = LM_ERR_UNSUPPORTED;
		v->refused = "no gate can call this routine";
		return;
	}
	q.routine = ((const void *const *)(door + 1))[index];
	q.owner = g->owner;
	run_trusted(&q);
	v->ran_on = q.ran_on;
	gate_copy_back(rt, regs, g->buffer, GATE_BUFFER, &m);
	r->rax = rt->result == LM_GATE_WORD ? q.result : 0;
}

/* The carry flag on the way back says whether the call was refused
 * (lemmings/door.h, LM_GATE_REFUSED_FLAG). */
static void flag_refusal(struct uvm_regs *r, const struct gate_verdict *v)
{
	if (v->refused)
		r->rflags |= LM_GATE_REFUSED_FLAG;
	else
		r->rflags &= ~(uint64_t)LM_GATE_REFUSED_FLAG;
}

void gate_answer(struct gate *g, aspace_space space, struct uvm_regs *r, struct gate_verdict *v)
{
	*v = (struct gate_verdict){0};
	if (r->rax == LM_GATE_SYS_FIND) {
		struct lm_api_id id;

		r->rax = LM_ERR_FAULT;
		if (aspace_read(space, r->rdi, &id, sizeof id, false) != LM_OK) {
			v->refused = "a pointer outside its memory";
			flag_refusal(r, v);
			return;
		}
		r->rax = LM_ERR_NOENT;
		for (uint32_t i = 0; i < g->count; i++)
			if (lm_api_id_equal(&g->grants[i].door, &id))
				r->rax = 0x1000 + i;
		if (r->rax == LM_ERR_NOENT)
			v->refused = "not granted";
	} else {
		call(g, space, r, v);
	}
	flag_refusal(r, v);
}
