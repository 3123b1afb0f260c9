/*
 * A Linux process's memory calls: brk, mmap, munmap, mprotect, madvise
 * (see linux.h), onto the Address space door (kernel/aspace.c).
 *
 * Layout of a space: the program at its own addresses (ET_EXEC, e.g.
 * 0x400000) or at LINUX_PIE_BASE; the break from the page after it,
 * growing up to LINUX_BRK_MAX; anonymous and file maps placed downward
 * from LINUX_MMAP_TOP (an address is not reused after munmap: the space is
 * large); the stack below 0x7fffffff0000 (kernel/process.h).
 *
 * Protections: the Address space door has read, read-write and
 * read-execute, never writable and executable at once. PROT_NONE maps
 * readable (a guard page reads as zeros instead of faulting), and
 * PROT_WRITE|PROT_EXEC is writable only. Every page is private and
 * zero-filled; a file map is a copy of the file's bytes (MAP_SHARED of a
 * writable file is refused with ENODEV). The quota of the space
 * (LINUX_QUOTA pages) bounds it all: ENOMEM past it.
 */
#include "arch/layout.h"
#include "kernel/aspace.h"
#include "kernel/linux/linux.h"
#include "kernel/linux/mem.h"

#define LINUX_ENODEV 19
/* The most pages one munmap or mprotect covers (4 GiB, as the Address
 * space door's routines): each page of the range is visited with the
 * space's lock held, so a range of the whole lower half would hold the
 * hart for minutes. */
#define LINUX_RANGE_PAGES 0x100000ull

static const struct aspace_door *as(void)
{
	return aspace_door_kernel();
}

static uint64_t pages_of(uint64_t len)
{
	return (len + PAGE_SIZE - 1) / PAGE_SIZE;
}

static aspace_prot prot_of(uint64_t prot)
{
	if (prot & LINUX_PROT_WRITE)
		return 1;
	if (prot & LINUX_PROT_EXEC)
		return 2;
	return 0;
}

LINUX_CALL(brk)
{
	uint64_t want = a[0], top = (want + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);

	if (want < lp->brk_start || want > lp->brk_start + LINUX_BRK_MAX)
		return (long)lp->brk;
	if (top > lp->brk_mapped) {
		if (aspace_map(as(), lp->space, lp->brk_mapped, (top - lp->brk_mapped) / PAGE_SIZE, 1))
			return (long)lp->brk; /* out of memory: the break stays */
	} else if (top < lp->brk_mapped) {
		aspace_unmap(as(), lp->space, top, (lp->brk_mapped - top) / PAGE_SIZE);
	}
	lp->brk_mapped = top;
	lp->brk = want;
	return (long)want;
}

/* Copy len bytes of f from off into the space at addr (mapped writable). */
static long fill_from(struct linux_proc *lp, struct linux_file *f, uint64_t addr, uint64_t len,
		      uint64_t off)
{
	while (len) {
		uint64_t chunk = len < LINUX_BUF ? len : LINUX_BUF;
		long n = f->ops->read(lp, f, lp->buf, chunk, &off);

		if (n < 0)
			return n;
		if (!n)
			break; /* past the end: the rest stays zero */
		if (aspace_write(lp->space, addr, lp->buf, (uint64_t)n))
			return LINUX_ERR(LINUX_EFAULT);
		addr += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

LINUX_CALL(mmap)
{
	uint64_t addr = a[0], len = a[1], prot = a[2], flags = a[3], off = a[5];
	uint64_t pages = pages_of(len);
	struct linux_file *f = NULL;
	enum lm_err err = LM_ERR_EXIST;
	long r;

	if (!len || (off & (PAGE_SIZE - 1)))
		return LINUX_ERR(LINUX_EINVAL);
	if (pages > LINUX_QUOTA)
		return LINUX_ERR(LINUX_ENOMEM); /* could never fit */
	if (!(flags & LINUX_MAP_ANONYMOUS)) {
		f = linux_fd_file(lp, (long)a[4]);
		if (!f || (f->flags & LINUX_O_ACCMODE) == LINUX_O_WRONLY)
			return LINUX_ERR(LINUX_EBADF);
		if (!f->ops->read || !f->ops->seekable)
			return LINUX_ERR(LINUX_ENODEV);
		if ((flags & LINUX_MAP_SHARED) && (prot & LINUX_PROT_WRITE))
			return LINUX_ERR(LINUX_ENODEV);
	}
	if (flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE - 1) || addr < USER_BASE || addr >= USER_END ||
		    pages > (USER_END - addr) / PAGE_SIZE)
			return LINUX_ERR(LINUX_EINVAL);
		if (flags & LINUX_MAP_FIXED)
			aspace_unmap(as(), lp->space, addr, pages);
		err = aspace_map(as(), lp->space, addr, pages, 1);
		if (err == LM_ERR_EXIST)
			return LINUX_ERR(LINUX_EEXIST);
	} else {
		/* Downward from mmap_next, past anything mapped in the way. */
		for (int tries = 0; err == LM_ERR_EXIST && tries < 64; tries++) {
			if (lp->mmap_next - LINUX_MMAP_FLOOR < pages * PAGE_SIZE)
				return LINUX_ERR(LINUX_ENOMEM);
			addr = lp->mmap_next - pages * PAGE_SIZE;
			lp->mmap_next = addr - PAGE_SIZE; /* an unmapped page between maps */
			err = aspace_map(as(), lp->space, addr, pages, 1);
		}
	}
	if (err)
		return LINUX_ERR(LINUX_ENOMEM);
	if (f && (r = fill_from(lp, f, addr, len, off))) {
		aspace_unmap(as(), lp->space, addr, pages);
		return r;
	}
	if (prot_of(prot) != 1)
		aspace_protect(as(), lp->space, addr, pages, prot_of(prot));
	return (long)addr;
}

LINUX_CALL(munmap)
{
	uint64_t addr = a[0], pages = pages_of(a[1]);

	if ((addr & (PAGE_SIZE - 1)) || !a[1] || addr < USER_BASE || addr >= USER_END ||
	    pages > (USER_END - addr) / PAGE_SIZE || pages > LINUX_RANGE_PAGES)
		return LINUX_ERR(LINUX_EINVAL);
	aspace_unmap(as(), lp->space, addr, pages);
	return 0;
}

LINUX_CALL(mprotect)
{
	uint64_t addr = a[0], pages = pages_of(a[1]);

	if (addr & (PAGE_SIZE - 1))
		return LINUX_ERR(LINUX_EINVAL);
	if (!pages)
		return 0;
	if (addr < USER_BASE || addr >= USER_END || pages > (USER_END - addr) / PAGE_SIZE ||
	    pages > LINUX_RANGE_PAGES)
		return LINUX_ERR(LINUX_ENOMEM);
	return aspace_protect(as(), lp->space, addr, pages, prot_of(a[2])) ? LINUX_ERR(LINUX_ENOMEM)
									    : 0;
}

/* Advice is only advice: MADV_DONTNEED's zeroing is not done. */
LINUX_CALL(madvise)
{
	return 0;
}
