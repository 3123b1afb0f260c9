/*
 * Vector state management: XSAVE with every component the CPU and we
 * support (x87, SSE, AVX), or FXSAVE on CPUs without XSAVE.
 */
#include <stdbool.h>

#include "arch/cpu.h"
#include "arch/fpu.h"

#define XCR0_X87 (1u << 0)
#define XCR0_SSE (1u << 1)
#define XCR0_AVX (1u << 2)

uint32_t fpu_area_size = 512;
static bool use_xsave;
static uint32_t xsave_mask;

static void xsetbv(uint32_t reg, uint64_t v)
{
	__asm__ volatile("xsetbv" : : "c"(reg), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void fpu_init_hart(void)
{
	uint32_t a, b, c, d;
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();
	uint16_t fcw = 0x037f;
	uint32_t mxcsr = 0x1f80;

	cr0 &= ~((1ull << 2) | (1ull << 3)); /* EM, TS off: no emulation, no traps */
	cr0 |= (1ull << 1) | (1ull << 5);    /* MP, NE: native x87 errors */
	write_cr0(cr0);
	cr4 |= (1ull << 9) | (1ull << 10);   /* OSFXSR, OSXMMEXCPT */

	cpuid(1, 0, &a, &b, &c, &d);
	if (c & (1u << 26)) {                /* XSAVE */
		uint32_t mask = XCR0_X87 | XCR0_SSE;

		write_cr4(cr4 | (1ull << 18)); /* OSXSAVE */
		if (c & (1u << 28))            /* AVX */
			mask |= XCR0_AVX;
		cpuid(0xd, 0, &a, &b, &c, &d);
		mask &= a;
		xsetbv(0, mask);
		cpuid(0xd, 0, &a, &b, &c, &d); /* size for the enabled set */
		use_xsave = true;
		xsave_mask = mask;
		fpu_area_size = b;
	} else {
		write_cr4(cr4);
	}
	__asm__ volatile("fninit; fldcw %0; ldmxcsr %1" : : "m"(fcw), "m"(mxcsr));
}

void fpu_save(void *area)
{
	if (use_xsave) {
		/* XSAVE leaves most of the 64-byte header alone, but XRSTOR
		 * rejects a header with stray bits: start from zero. */
		uint64_t *header = (uint64_t *)((char *)area + 512);
		for (int i = 0; i < 8; i++)
			header[i] = 0;
		__asm__ volatile("xsave64 (%0)" : : "r"(area), "a"(xsave_mask), "d"(0) : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" : : "r"(area) : "memory");
	}
}

void fpu_restore(const void *area)
{
	if (use_xsave)
		__asm__ volatile("xrstor64 (%0)" : : "r"(area), "a"(xsave_mask), "d"(0) : "memory");
	else
		__asm__ volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}
