/*
 * The rest of a Linux process's calls (see linux.h): ending, its TLS (the
 * FS base), identity, time, uname, random bytes, limits, and signals,
 * which are accepted and never delivered.
 *
 * Identity: every process is root (uid, gid 0) in a group of its own;
 * getpid is the process's id (kernel/process.c), getppid its parent's
 * (init's starts: 1). Time: CLOCK_REALTIME is the CMOS clock read once,
 * at the first ask, plus the monotonic clock since (plat_now_ns); every
 * other clock is the monotonic one. Random bytes come from RDRAND (CPUID
 * leaf 1, ECX bit 30), or, without it, from the time stamp counter's
 * jitter through a mixing function (weak: said at the first use).
 *
 * The process's own state, but for the clock's base (clock_lock).
 */
#include "arch/cpu.h"
#include "arch/spinlock.h"
#include "core/hart.h"
#include "core/platform.h"
#include "core/thread.h"
#include "core/timer.h"
#include "kernel/console.h"
#include "kernel/linux/linux.h"
#include "kernel/pmm.h"
#include "lib/fmt.h"
#include "lib/string.h"

/* --- ending and the thread's own state */

LINUX_CALL(exit_group)
{
	lp->exited = true;
	lp->status = (uint32_t)(a[0] & 0xff);
	return 0;
}

/* exit ends the calling thread only; a process's last thread's exit is
 * the process's (kernel/process.c). */
LINUX_CALL(exit)
{
	lp->thread_exit = true;
	return linux_sys_exit_group(lp, a);
}

LINUX_CALL(arch_prctl)
{
	if (a[0] == LINUX_ARCH_SET_FS) {
		if (a[1] >= 0x800000000000ull)
			return LINUX_ERR(LINUX_EPERM); /* not canonical in the lower half */
		lp->regs->fs_base = a[1];
		return 0;
	}
	if (a[0] == LINUX_ARCH_GET_FS)
		return linux_copy_out(lp, a[1], &lp->regs->fs_base, 8);
	return LINUX_ERR(LINUX_EINVAL);
}

/* The calling thread's: written 0, and its futex woken, when it ends
 * (kernel/linux/family.c's thread_ended hook). */
LINUX_CALL(set_tid_address)
{
	lp->thread->pers = (void *)(uintptr_t)a[0];
	return (long)lp->thread->tid;
}

/* The robust futex list matters to threads that die holding locks; one
 * thread per process, so it is only remembered as accepted. */
LINUX_CALL(set_robust_list)
{
	return a[1] == 24 ? 0 : LINUX_ERR(LINUX_EINVAL);
}

LINUX_CALL(prctl)
{
	enum { PR_SET_NAME = 15, PR_GET_NAME = 16 };

	if (a[0] == PR_SET_NAME) { /* the name the kernel's lines give it */
		char name[16];
		long n = linux_copy_string(lp, name, a[1], sizeof name);

		if (n == LINUX_ERR(LINUX_EFAULT))
			return n;
		name[15] = 0;
		fmt_snprintf(lp->name, sizeof lp->name, "%s", name);
		return 0;
	}
	if (a[0] == PR_GET_NAME) {
		char name[16] = {0};

		fmt_snprintf(name, sizeof name, "%s", lp->name);
		return linux_copy_out(lp, a[1], name, sizeof name);
	}
	return LINUX_ERR(LINUX_EINVAL);
}

/* --- limits */

static void limit_of(uint64_t resource, uint64_t lim[2])
{
	enum { RLIMIT_STACK = 3, RLIMIT_NOFILE = 7, RLIMIT_AS = 9 };

	lim[0] = lim[1] = ~0ull; /* RLIM_INFINITY */
	if (resource == RLIMIT_STACK)
		lim[0] = lim[1] = (uint64_t)LINUX_STACK_PAGES * 4096;
	if (resource == RLIMIT_NOFILE)
		lim[0] = lim[1] = LINUX_FDS;
	if (resource == RLIMIT_AS)
		lim[0] = lim[1] = (uint64_t)LINUX_QUOTA * 4096;
}

/* New limits are accepted and not kept: the space's quota and the
 * descriptor table are the limits. */
LINUX_CALL(prlimit64)
{
	uint64_t lim[2];

	if (a[0] && a[0] != lp->pid)
		return LINUX_ERR(LINUX_ESRCH);
	if (a[1] >= 16)
		return LINUX_ERR(LINUX_EINVAL);
	limit_of(a[1], lim);
	return a[3] ? linux_copy_out(lp, a[3], lim, sizeof lim) : 0;
}

LINUX_CALL(getrlimit)
{
	uint64_t lim[2];

	if (a[0] >= 16)
		return LINUX_ERR(LINUX_EINVAL);
	limit_of(a[0], lim);
	return linux_copy_out(lp, a[1], lim, sizeof lim);
}

/* --- random bytes */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static bool rdrand(uint64_t *v)
{
	static int has = -1;
	uint32_t ax, bx, cx, dx;
	uint8_t ok = 0;

	if (has < 0) {
		cpuid(1, 0, &ax, &bx, &cx, &dx);
		has = (cx >> 30) & 1;
		if (!has)
			kprintf("linux: no RDRAND: random bytes come from the TSC's jitter, mixed\n");
	}
	for (int i = 0; has && i < 10 && !ok; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

void linux_random(void *buf, size_t len)
{
	static uint64_t state;
	uint8_t *b = buf;

	while (len) {
		uint64_t v;
		size_t n = len < 8 ? len : 8;

		if (!rdrand(&v))
			v = mix(__atomic_add_fetch(&state, rdtsc(), __ATOMIC_RELAXED));
		memcpy(b, &v, n);
		b += n;
		len -= n;
	}
}

LINUX_CALL(getrandom)
{
	uint64_t done = 0;

	if (a[2] & ~7ull)
		return LINUX_ERR(LINUX_EINVAL);
	if (linux_check_out(lp, a[0], a[1]))
		return LINUX_ERR(LINUX_EFAULT);
	while (done < a[1]) {
		uint64_t chunk = a[1] - done < LINUX_BUF ? a[1] - done : LINUX_BUF;

		linux_random(lp->buf, chunk);
		if (linux_copy_out(lp, a[0] + done, lp->buf, chunk))
			return LINUX_ERR(LINUX_EFAULT);
		done += chunk;
	}
	return (long)done;
}

/* --- time */

static struct spinlock clock_lock = SPINLOCK_INIT;
static uint64_t epoch_at_boot_ns; /* 0 until the CMOS clock is read */

static unsigned cmos(unsigned reg)
{
	outb(0x70, (uint8_t)reg);
	return inb(0x71);
}

static unsigned bcd(unsigned v, bool binary)
{
	return binary ? v : (v >> 4) * 10 + (v & 15);
}

/* Days from 1970-01-01 to y-m-d (civil calendar). */
static uint64_t days_from_civil(uint64_t y, unsigned m, unsigned d)
{
	uint64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The CMOS clock (UTC under QEMU), in seconds since 1970. */
static uint64_t rtc_seconds(void)
{
	unsigned s, mi, h, d, mo, y, c, b;
	bool bin, pm;

	while (cmos(0x0a) & 0x80) /* an update in progress */
		;
	s = cmos(0); mi = cmos(2); h = cmos(4); d = cmos(7); mo = cmos(8); y = cmos(9);
	c = cmos(0x32);
	b = cmos(0x0b);
	bin = b & 4;
	pm = h & 0x80;
	h = bcd(h & 0x7f, bin);
	if (!(b & 2)) /* a 12-hour clock */
		h = h % 12 + (pm ? 12 : 0);
	y = bcd(y, bin) + 100 * (c ? bcd(c, bin) : 20);
	return days_from_civil(y, bcd(mo, bin), bcd(d, bin)) * 86400 + h * 3600ull +
	       bcd(mi, bin) * 60ull + bcd(s, bin);
}

uint64_t linux_realtime_ns(void)
{
	uint64_t base = __atomic_load_n(&epoch_at_boot_ns, __ATOMIC_ACQUIRE);

	if (!base) {
		bool irq = plat_spin_lock(&clock_lock);

		if (!(base = epoch_at_boot_ns))
			base = epoch_at_boot_ns = rtc_seconds() * 1000000000ull - plat_now_ns();
		plat_spin_unlock(&clock_lock, irq);
	}
	return base + plat_now_ns();
}

static uint64_t clock_ns(uint64_t clock)
{
	return clock == 0 || clock == 5 ? linux_realtime_ns() : plat_now_ns();
}

LINUX_CALL(clock_gettime)
{
	uint64_t ns;
	struct linux_timespec ts;

	if (a[0] > 11)
		return LINUX_ERR(LINUX_EINVAL);
	ns = clock_ns(a[0]);
	ts = (struct linux_timespec){(int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000)};
	return linux_copy_out(lp, a[1], &ts, sizeof ts);
}

LINUX_CALL(clock_getres)
{
	const struct linux_timespec ts = {0, 1};

	if (a[0] > 11)
		return LINUX_ERR(LINUX_EINVAL);
	return a[1] ? linux_copy_out(lp, a[1], &ts, sizeof ts) : 0;
}

LINUX_CALL(gettimeofday)
{
	uint64_t ns = linux_realtime_ns();
	const int64_t tv[2] = {(int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000 / 1000)};
	const int32_t tz[2] = {0, 0};

	if (a[0] && linux_copy_out(lp, a[0], tv, sizeof tv))
		return LINUX_ERR(LINUX_EFAULT);
	return a[1] ? linux_copy_out(lp, a[1], tz, sizeof tz) : 0;
}

LINUX_CALL(time)
{
	int64_t t = (int64_t)(linux_realtime_ns() / 1000000000);

	if (a[0] && linux_copy_out(lp, a[0], &t, sizeof t))
		return LINUX_ERR(LINUX_EFAULT);
	return (long)t;
}

#define SLEEP_SLICE_NS 10000000ull

/* Sleep until clock reaches the time at ureq (absolute) or for it. */
static long sleep(struct linux_proc *lp, uint64_t clock, bool absolute, uint64_t ureq,
		  uint64_t urem)
{
	uint64_t ns, now = clock_ns(clock);
	long err = linux_timespec_in(lp, ureq, &ns);

	if (err)
		return err;
	if (absolute)
		ns = ns > now ? ns - now : 0;
	/* In slices, so that a kill ends the process within one; the
	 * process's other threads make calls meanwhile. */
	struct uthread *t = lp->thread;
	struct uvm_regs *r = lp->regs;
	uint64_t left_ns = 0;
	long ret = 0;

	linux_call_leave(lp);
	for (uint64_t end = plat_now_ns() + ns; plat_now_ns() < end;) {
		uint64_t left = end - plat_now_ns();

		if (untrusted_stopping(t) || untrusted_signalled(t)) {
			ret = LINUX_ERR(LINUX_EINTR);
			left_ns = left;
			break;
		}
		timer_sleep_ns(left < SLEEP_SLICE_NS ? left : SLEEP_SLICE_NS);
	}
	linux_call_retake(lp, t, r);
	if (ret && urem && !absolute) { /* what was left, for a sleep to go on */
		struct linux_timespec rem = {(int64_t)(left_ns / 1000000000),
					     (int64_t)(left_ns % 1000000000)};

		if (linux_copy_out(lp, urem, &rem, sizeof rem))
			return LINUX_ERR(LINUX_EFAULT);
	}
	return ret;
}

LINUX_CALL(nanosleep)
{
	return sleep(lp, 1, false, a[0], a[1]);
}

LINUX_CALL(clock_nanosleep)
{
	if (a[0] > 11)
		return LINUX_ERR(LINUX_EINVAL);
	return sleep(lp, a[0], a[1] & 1, a[2], a[3]);
}

LINUX_CALL(times)
{
	const uint64_t tms[4] = {0, 0, 0, 0};

	if (a[0] && linux_copy_out(lp, a[0], tms, sizeof tms))
		return LINUX_ERR(LINUX_EFAULT);
	return (long)(plat_now_ns() / 10000000); /* clock ticks of 10 ms */
}

LINUX_CALL(sysinfo)
{
	struct {
		int64_t uptime;
		uint64_t loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap;
		uint16_t procs, pad;
		uint32_t pad2;
		uint64_t totalhigh, freehigh;
		uint32_t mem_unit;
		uint8_t rest[4];
	} si = {0};

	_Static_assert(sizeof si == 112, "Linux's struct sysinfo");
	si.uptime = (int64_t)(plat_now_ns() / 1000000000);
	si.totalram = pmm_total_pages() * 4096;
	si.freeram = pmm_free_pages() * 4096;
	si.procs = 1;
	si.mem_unit = 1;
	return linux_copy_out(lp, a[0], &si, sizeof si);
}

/* --- uname */

LINUX_CALL(uname)
{
	struct linux_utsname u = {0};

	fmt_snprintf(u.sysname, sizeof u.sysname, "Linux");
	fmt_snprintf(u.nodename, sizeof u.nodename, "lemmings");
	fmt_snprintf(u.release, sizeof u.release, "6.1.0-lemmings");
	fmt_snprintf(u.version, sizeof u.version, "#1 Lemmings Linux personality");
	fmt_snprintf(u.machine, sizeof u.machine, "x86_64");
	fmt_snprintf(u.domainname, sizeof u.domainname, "(none)");
	return linux_copy_out(lp, a[0], &u, sizeof u);
}

/* --- identity */

LINUX_CALL(getpid) { return (long)lp->pid; }
LINUX_CALL(gettid) { return (long)lp->thread->tid; }
LINUX_CALL(getuid) { return 0; }
LINUX_CALL(geteuid) { return 0; }
LINUX_CALL(getgid) { return 0; }
LINUX_CALL(getegid) { return 0; }
LINUX_CALL(getpgrp) { return (long)untrusted_pgid(lp->thread->p); }

/* getpgid(pid): the caller's only (0 or its own pid). */
LINUX_CALL(getpgid)
{
	return !a[0] || a[0] == lp->pid ? (long)untrusted_pgid(lp->thread->p)
					: LINUX_ERR(LINUX_ESRCH);
}

/* setpgid(pid, pgid): the caller's own group only (pid 0 or its own), to
 * its own id or an id of a group (not checked to exist). */
LINUX_CALL(setpgid)
{
	if (a[0] && a[0] != lp->pid)
		return LINUX_ERR(LINUX_EPERM);
	if ((int64_t)a[1] < 0)
		return LINUX_ERR(LINUX_EINVAL);
	untrusted_set_pgid(lp->thread->p, a[1] ? a[1] : lp->pid);
	return 0;
}

static long three_zeros(struct linux_proc *lp, const uint64_t a[6])
{
	const uint32_t zero = 0;

	for (int i = 0; i < 3; i++)
		if (linux_copy_out(lp, a[i], &zero, sizeof zero))
			return LINUX_ERR(LINUX_EFAULT);
	return 0;
}

LINUX_CALL(getresuid) { return three_zeros(lp, a); }
LINUX_CALL(getresgid) { return three_zeros(lp, a); }

LINUX_CALL(getgroups)
{
	return 0; /* no supplementary groups */
}

LINUX_CALL(umask)
{
	uint32_t old = lp->umask;

	lp->umask = (uint32_t)a[0] & 0777;
	return old;
}

/* --- scheduling and the rest */

LINUX_CALL(sched_getaffinity)
{
	const uint64_t mask = 1; /* its one hart, as CPU 0 */

	if (a[1] < 8 || (a[1] & 7))
		return LINUX_ERR(LINUX_EINVAL);
	return linux_copy_out(lp, a[2], &mask, sizeof mask) ?: 8;
}

LINUX_CALL(sched_yield)
{
	thread_yield();
	return 0;
}

LINUX_CALL(fsync) { return linux_fd_file(lp, (long)a[0]) ? 0 : LINUX_ERR(LINUX_EBADF); }
LINUX_CALL(fadvise64) { return linux_fd_file(lp, (long)a[0]) ? 0 : LINUX_ERR(LINUX_EBADF); }
