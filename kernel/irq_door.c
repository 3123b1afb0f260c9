/*
 * The Irq door (sdk/idl/irq.idl): kernel/intr.c's bindings for drivers.
 * Kernel only: the hosted runtime has no devices, so kernel/main.c
 * publishes it beside the Pci door.
 *
 * Every argument is outside input: kernel/intr.c checks sources, handles,
 * bits and harts; an out pointer to memory that is not mapped gets
 * LM_ERR_INVAL here, before anything is bound.
 */
#include <lemmings/irq.h>

#include "core/systab.h"
#include "kernel/intr.h"
#include "kernel/irq_door.h"
#include "services/service.h"

static bool bad_out(const void *p, size_t size)
{
	return !systab_readable(p, size);
}

/* The id goes out only once the binding exists. */
static irq_status give(enum lm_err err, const uint32_t *id, irq_binding *out)
{
	if (!err)
		*out = *id;
	return err;
}

static irq_status door_bind_isa(uint8_t irq, irq_thread target, irq_bit bit, irq_hart hart,
				irq_binding *out)
{
	uint32_t id = 0;

	if (bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	return give(intr_bind_isa(irq, target, bit, hart, &id), &id, out);
}

static irq_status door_bind_gsi(uint32_t gsi, uint8_t flags, irq_thread target, irq_bit bit,
				irq_hart hart, irq_binding *out)
{
	uint32_t id = 0;

	if (bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	return give(intr_bind_gsi(gsi, flags, target, bit, hart, &id), &id, out);
}

static irq_status door_bind_intx(irq_func func, irq_thread target, irq_bit bit, irq_hart hart,
				 irq_binding *out)
{
	uint32_t id = 0;

	if (bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	return give(intr_bind_intx(func, target, bit, hart, &id), &id, out);
}

static irq_status door_bind_msi(irq_func func, irq_thread target, irq_bit bit, irq_hart hart,
				irq_binding *out)
{
	uint32_t id = 0;

	if (bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	return give(intr_bind_msi(func, target, bit, hart, &id), &id, out);
}

static irq_status door_bind_msix(irq_func func, uint16_t entry, irq_thread target, irq_bit bit,
				 irq_hart hart, irq_binding *out)
{
	uint32_t id = 0;

	if (bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	return give(intr_bind_msix(func, entry, target, bit, hart, &id), &id, out);
}

static irq_status door_unbind(irq_binding b)
{
	return intr_unbind(b);
}

static irq_status door_unmask(irq_binding b)
{
	return intr_unmask(b);
}

static irq_status door_count(irq_binding b, uint64_t *out)
{
	uint64_t n = 0;
	enum lm_err err;

	if (bad_out(out, sizeof *out))
		return LM_ERR_INVAL;
	err = intr_count(b, &n);
	if (!err)
		*out = n;
	return err;
}

static const struct irq_door irq_door = {
	.header = IRQ_DOOR_HEADER,
	.bind_isa = door_bind_isa,
	.bind_gsi = door_bind_gsi,
	.bind_intx = door_bind_intx,
	.bind_msi = door_bind_msi,
	.bind_msix = door_bind_msix,
	.unbind = door_unbind,
	.unmask = door_unmask,
	.count = door_count,
};

void irq_door_publish(void)
{
	service_register(&irq_door, "irq");
}
