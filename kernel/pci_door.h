/*
 * The Pci door (sdk/idl/pci.idl), published by the kernel only.
 */
#ifndef KERNEL_PCI_DOOR_H
#define KERNEL_PCI_DOOR_H

/* Register the door in the hallway (after pci_init). */
void pci_door_publish(void);

#endif
