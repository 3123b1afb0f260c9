/*
 * The Console door (sdk/idl/console.idl), published by the kernel only.
 */
#ifndef KERNEL_CONSOLE_DOOR_H
#define KERNEL_CONSOLE_DOOR_H

/* Register the door in the hallway (after console_init). */
void console_door_publish(void);

#endif
