/*
 * The gate's check of one call (see gate_check.h). Pointed-at data and
 * byte buffers are laid out in the buffer in parameter order, each at a
 * 16-byte boundary; gate_copy_back walks the same layout.
 */
#include <stddef.h>

#include "core/gate_check.h"

/* Where the slot after one of size bytes at used starts: a 16-byte
 * boundary, or the buffer's end. */
static uint32_t next_slot(uint32_t used, uint32_t size, uint32_t buffer_size)
{
	uint32_t slot = (size + 15) & ~15u;

	return slot > buffer_size - used ? buffer_size : used + slot;
}

/* The length of the byte buffer at parameter i: the next parameter, an
 * 8-byte UINT (as idlc describes it), in its range. false if the
 * description or the value is not so. */
static bool bytes_len(const struct lm_gate_routine *rt, unsigned i,
		      const uint64_t regs[GATE_ARGS], uint64_t *len)
{
	const struct lm_gate_param *n = &rt->params[i + 1];

	if (i + 1 >= rt->nparams || n->kind != LM_GATE_UINT || n->size != 8)
		return false;
	*len = regs[i + 1];
	return *len >= n->lo && *len <= n->hi;
}

static bool is_bytes(const struct lm_gate_param *p)
{
	return p->kind == LM_GATE_BYTES_IN || p->kind == LM_GATE_BYTES_INOUT;
}

/* An integer parameter: the low bytes of its register, extended, in range
 * (an integer of no bytes, or more than eight, is never in range). */
static bool int_ok(const struct lm_gate_param *p, uint64_t *v)
{
	unsigned bits = p->size * 8;

	if (p->size == 0 || p->size > 8)
		return false;
	if (bits < 64) {
		uint64_t mask = (1ull << bits) - 1;

		*v &= mask;
		if (p->kind == LM_GATE_SINT && (*v >> (bits - 1) & 1))
			*v |= ~mask;
	}
	if (p->kind == LM_GATE_SINT)
		return (int64_t)*v >= (int64_t)p->lo && (int64_t)*v <= (int64_t)p->hi;
	return *v >= p->lo && *v <= p->hi;
}

enum lm_err gate_check(const struct lm_gate_routine *rt, const uint64_t regs[GATE_ARGS],
		       uint8_t *buffer, uint32_t buffer_size, const struct gate_memory *m,
		       uint64_t args[GATE_ARGS])
{
	uint32_t used = 0;

	if (rt->result == LM_GATE_NONE || rt->nparams > GATE_ARGS || (rt->nparams && !rt->params))
		return LM_ERR_UNSUPPORTED;
	for (unsigned i = 0; i < rt->nparams; i++) {
		const struct lm_gate_param *p = &rt->params[i];
		uint64_t a = regs[i], len;

		switch (p->kind) {
		case LM_GATE_UINT:
		case LM_GATE_SINT:
			if (!int_ok(p, &a))
				return LM_ERR_RANGE;
			break;
		case LM_GATE_IN:
		case LM_GATE_INOUT:
			if (p->size > buffer_size - used ||
			    !m->read(m->ctx, a, buffer + used, p->size, p->kind == LM_GATE_INOUT))
				return LM_ERR_FAULT;
			a = (uintptr_t)(buffer + used);
			used = next_slot(used, p->size, buffer_size);
			break;
		case LM_GATE_BYTES_IN:
		case LM_GATE_BYTES_INOUT:
			if (i + 1 >= rt->nparams || rt->params[i + 1].kind != LM_GATE_UINT ||
			    rt->params[i + 1].size != 8)
				return LM_ERR_UNSUPPORTED;
			/* Out of the IDL's range, or more than the buffer holds. */
			if (!bytes_len(rt, i, regs, &len) || len > buffer_size - used)
				return LM_ERR_RANGE;
			if (len && !m->read(m->ctx, a, buffer + used, (uint32_t)len,
					    p->kind == LM_GATE_BYTES_INOUT))
				return LM_ERR_FAULT;
			a = (uintptr_t)(buffer + used);
			used = next_slot(used, (uint32_t)len, buffer_size);
			break;
		default:
			return LM_ERR_UNSUPPORTED;
		}
		args[i] = a;
	}
	return LM_OK;
}

void gate_copy_back(const struct lm_gate_routine *rt, const uint64_t regs[GATE_ARGS],
		    const uint8_t *buffer, uint32_t buffer_size, const struct gate_memory *m)
{
	uint32_t used = 0;

	for (unsigned i = 0; i < rt->nparams && i < GATE_ARGS; i++) {
		const struct lm_gate_param *p = &rt->params[i];
		uint64_t len = p->size;

		if (is_bytes(p) && !bytes_len(rt, i, regs, &len))
			return; /* gate_check refused it: never here */
		if (p->kind != LM_GATE_IN && p->kind != LM_GATE_INOUT && !is_bytes(p))
			continue;
		if ((p->kind == LM_GATE_INOUT || p->kind == LM_GATE_BYTES_INOUT) && len)
			m->write(m->ctx, regs[i], buffer + used, (uint32_t)len);
		used = next_slot(used, (uint32_t)len, buffer_size);
	}
}
