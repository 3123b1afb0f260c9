/*
 * COM1. Output is polled: it waits for the transmit holding register, so it
 * works before interrupts and from inside fault handlers. Input is read by
 * serial_getc; serial_rx_interrupts lets received bytes raise ISA IRQ 4
 * (the kernel's shell waits for it, kernel/shell.c). Newlines become CR LF for
 * terminals. Callers serialize (kernel/console.c holds the console lock).
 */
#include <stdint.h>

#include "arch/cpu.h"
#include "arch/serial.h"

#define COM1 0x3f8

enum {
	UART_DATA = 0,
	UART_IER = 1,
	UART_FCR = 2,
	UART_LCR = 3,
	UART_MCR = 4,
	UART_LSR = 5,
};

#define IER_RX 0x01   /* received data (and the FIFO's character timeout) */
#define MCR_OUT2 0x08 /* gates the UART's interrupt onto the bus */
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

void serial_init(void)
{
	outb(COM1 + UART_IER, 0x00);  /* no interrupts (for now) */
	outb(COM1 + UART_LCR, 0x80);  /* divisor latch */
	outb(COM1 + UART_DATA, 0x01); /* 115200 baud */
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x03);  /* 8 bits, no parity, one stop bit */
	outb(COM1 + UART_FCR, 0xc7);  /* FIFOs on and cleared, 14-byte threshold */
	outb(COM1 + UART_MCR, 0x03);  /* DTR, RTS */
}

static void serial_putc(char c)
{
	/* Bounded wait: a missing UART must not hang the kernel. */
	for (int spins = 0; spins < 100000; spins++)
		if (inb(COM1 + UART_LSR) & LSR_THR_EMPTY)
			break;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

void serial_rx_interrupts(bool on)
{
	outb(COM1 + UART_MCR, on ? 0x03 | MCR_OUT2 : 0x03);
	outb(COM1 + UART_IER, on ? IER_RX : 0x00);
}

int serial_getc(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + UART_DATA);
}
