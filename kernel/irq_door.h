/*
 * The Irq door (sdk/idl/irq.idl), published by the kernel only.
 */
#ifndef KERNEL_IRQ_DOOR_H
#define KERNEL_IRQ_DOOR_H

/* Register the door in the hallway (after intr_init and pci_init). */
void irq_door_publish(void);

#endif
