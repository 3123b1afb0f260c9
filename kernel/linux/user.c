/*
 * A Linux program's memory as the personality reaches it, and Lemmings'
 * errors as Linux's errno values.
 *
 * Every pointer a program passes is checked through its space: the copies
 * go through aspace_read and aspace_write (kernel/aspace.c), which copy
 * nothing unless every byte is mapped (and writable, for a copy out), so a
 * bad pointer is EFAULT, never a fault in the kernel. Nothing here is
 * locked: a process's space handle is its own thread's to use.
 */
#include "kernel/aspace.h"
#include "kernel/linux/linux.h"

long linux_errno(enum lm_err err)
{
	switch (err) {
	case LM_OK: return 0;
	case LM_ERR_NOMEM: return LINUX_ERR(LINUX_ENOMEM);
	case LM_ERR_NOENT: return LINUX_ERR(LINUX_ENOENT);
	case LM_ERR_EXIST: return LINUX_ERR(LINUX_EEXIST);
	case LM_ERR_FAULT: return LINUX_ERR(LINUX_EFAULT);
	case LM_ERR_RANGE: return LINUX_ERR(LINUX_ENAMETOOLONG);
	case LM_ERR_NOSPACE: return LINUX_ERR(LINUX_ENOSPC);
	case LM_ERR_FORMAT: case LM_ERR_UNSUPPORTED: return LINUX_ERR(LINUX_ENOEXEC);
	case LM_ERR_BUSY: return LINUX_ERR(LINUX_EBUSY);
	case LM_ERR_FULL: return LINUX_ERR(LINUX_EAGAIN);
	default: return LINUX_ERR(LINUX_EINVAL);
	}
}

long linux_copy_in(struct linux_proc *lp, void *dst, uint64_t uaddr, uint64_t len)
{
	if (!len)
		return 0;
	return aspace_read(lp->space, uaddr, dst, len, false) ? LINUX_ERR(LINUX_EFAULT) : 0;
}

long linux_copy_out(struct linux_proc *lp, uint64_t uaddr, const void *src, uint64_t len)
{
	if (!len)
		return 0;
	return aspace_write(lp->space, uaddr, src, len) ? LINUX_ERR(LINUX_EFAULT) : 0;
}

long linux_check_out(struct linux_proc *lp, uint64_t uaddr, uint64_t len)
{
	if (!len)
		return 0;
	return aspace_check(lp->space, uaddr, len, true) ? LINUX_ERR(LINUX_EFAULT) : 0;
}

long linux_copy_string(struct linux_proc *lp, char *dst, uint64_t uaddr, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		uint64_t chunk = 4096 - ((uaddr + got) & 4095);

		if (chunk > cap - got)
			chunk = cap - got;
		if (linux_copy_in(lp, dst + got, uaddr + got, chunk))
			return LINUX_ERR(LINUX_EFAULT);
		for (uint64_t i = 0; i < chunk; i++)
			if (!dst[got + i])
				return (long)(got + i);
		got += chunk;
	}
	return LINUX_ERR(LINUX_ENAMETOOLONG);
}

long linux_timespec_in(struct linux_proc *lp, uint64_t uaddr, uint64_t *ns)
{
	struct linux_timespec ts;

	if (linux_copy_in(lp, &ts, uaddr, sizeof ts))
		return LINUX_ERR(LINUX_EFAULT);
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return LINUX_ERR(LINUX_EINVAL);
	*ns = (uint64_t)ts.sec * 1000000000 + (uint64_t)ts.nsec;
	return 0;
}

long linux_timeval_in(struct linux_proc *lp, uint64_t uaddr, uint64_t *ns)
{
	int64_t tv[2];

	if (linux_copy_in(lp, tv, uaddr, sizeof tv))
		return LINUX_ERR(LINUX_EFAULT);
	if (tv[0] < 0 || tv[1] < 0 || tv[1] >= 1000000)
		return LINUX_ERR(LINUX_EINVAL);
	*ns = (uint64_t)tv[0] * 1000000000 + (uint64_t)tv[1] * 1000;
	return 0;
}
