/* The 16550 UART at COM1: the system console. */
#ifndef ARCH_X86_64_SERIAL_H
#define ARCH_X86_64_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

void serial_init(void);
void serial_write(const char *s, size_t len);
/* Returns a received byte, or -1 if none is waiting. */
int serial_getc(void);
/* The UART's interrupt when bytes are received (ISA IRQ 4): on or off. */
void serial_rx_interrupts(bool on);

#endif
