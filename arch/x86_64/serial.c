/*
 * COM1, polled. Output waits for the transmit holding register, so it works
 * before interrupts and from inside fault handlers. Newlines become CR LF for
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

int serial_getc(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + UART_DATA);
}
