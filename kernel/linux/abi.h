/*
 * The Linux x86-64 interface as a program sees it: system call numbers,
 * errno values, flags and the layouts of the structures the personality
 * writes into a program's memory (struct stat, linux_dirent64, utsname,
 * the auxiliary vector's keys). Plain data, portable: the kernel's
 * personality (kernel/linux/) and its host tests include it.
 *
 * Numbers and layouts are Linux's ABI (arch/x86/entry/syscalls, the
 * x86-64 psABI): facts, not choices, so they never change here.
 */
#ifndef KERNEL_LINUX_ABI_H
#define KERNEL_LINUX_ABI_H

#include <stdint.h>

/*
 * System calls the personality knows by name: X(number, name). Those it
 * serves are in kernel/linux/syscall.c's table; the rest are named in the
 * one line an unknown call logs.
 */
#define LINUX_CALLS(X) \
	X(0, read) X(1, write) X(2, open) X(3, close) X(4, stat) X(5, fstat) X(6, lstat) \
	X(7, poll) X(8, lseek) X(9, mmap) X(10, mprotect) X(11, munmap) X(12, brk) \
	X(13, rt_sigaction) X(14, rt_sigprocmask) X(15, rt_sigreturn) X(16, ioctl) \
	X(17, pread64) X(18, pwrite64) X(19, readv) X(20, writev) X(21, access) X(22, pipe) \
	X(23, select) X(24, sched_yield) X(25, mremap) X(28, madvise) X(32, dup) X(33, dup2) \
	X(34, pause) X(35, nanosleep) X(37, alarm) X(39, getpid) X(40, sendfile) X(41, socket) \
	X(42, connect) X(43, accept) X(44, sendto) X(45, recvfrom) X(46, sendmsg) X(47, recvmsg) \
	X(48, shutdown) X(49, bind) X(50, listen) X(51, getsockname) X(52, getpeername) \
	X(53, socketpair) X(54, setsockopt) X(55, getsockopt) X(56, clone) X(57, fork) \
	X(58, vfork) X(59, execve) X(60, exit) X(61, wait4) X(62, kill) X(63, uname) \
	X(72, fcntl) X(74, fsync) X(77, ftruncate) X(78, getdents) X(79, getcwd) X(80, chdir) \
	X(81, fchdir) X(82, rename) X(83, mkdir) X(84, rmdir) X(87, unlink) X(89, readlink) \
	X(90, chmod) X(91, fchmod) X(92, chown) X(93, fchown) X(95, umask) \
	X(96, gettimeofday) X(97, getrlimit) X(99, sysinfo) X(100, times) X(102, getuid) \
	X(104, getgid) X(105, setuid) X(106, setgid) X(107, geteuid) X(108, getegid) \
	X(109, setpgid) X(110, getppid) X(111, getpgrp) X(112, setsid) X(115, getgroups) \
	X(118, getresuid) X(120, getresgid) X(121, getpgid) X(127, rt_sigpending) X(128, rt_sigtimedwait) \
	X(130, rt_sigsuspend) X(131, sigaltstack) X(133, mknod) \
	X(137, statfs) X(138, fstatfs) X(157, prctl) X(158, arch_prctl) X(160, setrlimit) \
	X(162, sync) X(186, gettid) X(201, time) X(202, futex) X(204, sched_getaffinity) \
	X(217, getdents64) X(218, set_tid_address) X(221, fadvise64) X(228, clock_gettime) \
	X(229, clock_getres) X(230, clock_nanosleep) X(231, exit_group) X(234, tgkill) \
	X(257, openat) X(258, mkdirat) X(259, mknodat) X(260, fchownat) X(262, newfstatat) \
	X(263, unlinkat) X(264, renameat) X(267, readlinkat) X(268, fchmodat) X(269, faccessat) \
	X(270, pselect6) X(271, ppoll) X(273, set_robust_list) X(280, utimensat) \
	X(288, accept4) X(292, dup3) X(293, pipe2) X(302, prlimit64) X(316, renameat2) X(318, getrandom) \
	X(332, statx) X(334, rseq) X(439, faccessat2)

enum linux_nr {
#define LINUX_NR_ENUM(n, name) LINUX_NR_##name = n,
	LINUX_CALLS(LINUX_NR_ENUM)
#undef LINUX_NR_ENUM
	LINUX_NR_COUNT = 512 /* numbers at or past this are unknown */
};

/* errno values (a call returns their negation). */
enum {
	LINUX_EPERM = 1, LINUX_ENOENT = 2, LINUX_ESRCH = 3, LINUX_EINTR = 4, LINUX_EIO = 5,
	LINUX_ENXIO = 6, LINUX_E2BIG = 7, LINUX_ENOEXEC = 8, LINUX_EBADF = 9, LINUX_ECHILD = 10,
	LINUX_EAGAIN = 11, LINUX_ENOMEM = 12, LINUX_EACCES = 13, LINUX_EFAULT = 14,
	LINUX_EBUSY = 16, LINUX_EEXIST = 17, LINUX_EXDEV = 18, LINUX_ENOTDIR = 20,
	LINUX_EISDIR = 21, LINUX_EINVAL = 22, LINUX_ENFILE = 23, LINUX_EMFILE = 24,
	LINUX_ENOTTY = 25, LINUX_EFBIG = 27, LINUX_ENOSPC = 28, LINUX_ESPIPE = 29,
	LINUX_EROFS = 30, LINUX_EPIPE = 32, LINUX_ERANGE = 34, LINUX_ENAMETOOLONG = 36,
	LINUX_ENOSYS = 38, LINUX_ENOTEMPTY = 39, LINUX_ELOOP = 40,
	/* sockets' */
	LINUX_ENOTSOCK = 88, LINUX_EDESTADDRREQ = 89, LINUX_EMSGSIZE = 90, LINUX_EPROTOTYPE = 91,
	LINUX_ENOPROTOOPT = 92, LINUX_EPROTONOSUPPORT = 93, LINUX_EOPNOTSUPP = 95,
	LINUX_EAFNOSUPPORT = 97, LINUX_EADDRINUSE = 98, LINUX_ENETDOWN = 100,
	LINUX_ENETUNREACH = 101, LINUX_ECONNRESET = 104, LINUX_ENOBUFS = 105, LINUX_EISCONN = 106,
	LINUX_ENOTCONN = 107, LINUX_ETIMEDOUT = 110, LINUX_ECONNREFUSED = 111,
};

/* open flags, fcntl commands, *at's special descriptor and flags. */
#define LINUX_O_ACCMODE 3
#define LINUX_O_RDONLY 0
#define LINUX_O_WRONLY 1
#define LINUX_O_RDWR 2
#define LINUX_O_CREAT 0100
#define LINUX_O_EXCL 0200
#define LINUX_O_NOCTTY 0400
#define LINUX_O_TRUNC 01000
#define LINUX_O_APPEND 02000
#define LINUX_O_NONBLOCK 04000
#define LINUX_O_DIRECTORY 0200000
#define LINUX_O_NOFOLLOW 0400000
#define LINUX_O_CLOEXEC 02000000
#define LINUX_AT_FDCWD (-100)
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100
#define LINUX_AT_REMOVEDIR 0x200
#define LINUX_AT_EMPTY_PATH 0x1000
#define LINUX_F_DUPFD 0
#define LINUX_F_GETFD 1
#define LINUX_F_SETFD 2
#define LINUX_F_GETFL 3
#define LINUX_F_SETFL 4
#define LINUX_F_DUPFD_CLOEXEC 1030
#define LINUX_FD_CLOEXEC 1

/* Sockets: families, types, levels and options, flags of send and
 * recv, shutdown's how; struct sockaddr_in (ports and addresses in
 * network byte order) and struct msghdr. */
#define LINUX_AF_UNIX 1
#define LINUX_AF_INET 2
#define LINUX_SOCK_STREAM 1
#define LINUX_SOCK_DGRAM 2
#define LINUX_SOCK_TYPE_MASK 0xf
#define LINUX_SOCK_NONBLOCK LINUX_O_NONBLOCK
#define LINUX_SOCK_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_IPPROTO_TCP 6
#define LINUX_IPPROTO_UDP 17
#define LINUX_SOL_SOCKET 1
#define LINUX_SO_REUSEADDR 2
#define LINUX_SO_TYPE 3
#define LINUX_SO_ERROR 4
#define LINUX_SO_RCVTIMEO 20
#define LINUX_SO_SNDTIMEO 21
#define LINUX_MSG_PEEK 0x2
#define LINUX_MSG_DONTWAIT 0x40
#define LINUX_MSG_WAITALL 0x100
#define LINUX_MSG_NOSIGNAL 0x4000
#define LINUX_SHUT_RD 0
#define LINUX_SHUT_WR 1
#define LINUX_SHUT_RDWR 2
#define LINUX_FIONREAD 0x541b
#define LINUX_FIONBIO 0x5421
#define LINUX_POLLIN 0x1
#define LINUX_POLLPRI 0x2
#define LINUX_POLLOUT 0x4
#define LINUX_POLLERR 0x8
#define LINUX_POLLHUP 0x10
#define LINUX_POLLNVAL 0x20

struct linux_sockaddr_in {
	uint16_t family, port;
	uint32_t addr;
	uint8_t zero[8];
};
_Static_assert(sizeof(struct linux_sockaddr_in) == 16, "Linux's struct sockaddr_in");

struct linux_msghdr {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov, iovlen, control, controllen;
	int32_t flags, pad1;
};
_Static_assert(sizeof(struct linux_msghdr) == 56, "Linux's struct msghdr");

struct linux_pollfd {
	int32_t fd;
	int16_t events, revents;
};

/* File types (st_mode) and linux_dirent64's d_type. */
#define LINUX_S_IFMT 0170000u
#define LINUX_S_IFDIR 0040000u
#define LINUX_S_IFCHR 0020000u
#define LINUX_S_IFREG 0100000u
#define LINUX_S_IFLNK 0120000u
#define LINUX_S_IFIFO 0010000u
#define LINUX_S_IFBLK 0060000u
#define LINUX_S_IFSOCK 0140000u
#define LINUX_DT_FIFO 1
#define LINUX_DT_CHR 2
#define LINUX_DT_DIR 4
#define LINUX_DT_REG 8
#define LINUX_DT_LNK 10

/* struct stat as x86-64 Linux lays it out (newfstatat, fstat): 144 bytes. */
struct linux_stat {
	uint64_t dev, ino, nlink;
	uint32_t mode, uid, gid, pad0;
	uint64_t rdev;
	int64_t size, blksize, blocks;
	uint64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "Linux's struct stat");

/* getdents64's record header; the name and its NUL follow, the whole
 * padded to 8 bytes. */
struct linux_dirent64 {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
} __attribute__((packed));
#define LINUX_DIRENT64_NAME 19 /* offset of d_name */

#define LINUX_UTS_LEN 65
struct linux_utsname {
	char sysname[LINUX_UTS_LEN], nodename[LINUX_UTS_LEN], release[LINUX_UTS_LEN];
	char version[LINUX_UTS_LEN], machine[LINUX_UTS_LEN], domainname[LINUX_UTS_LEN];
};

struct linux_timespec {
	int64_t sec, nsec;
};

/* The auxiliary vector's keys (the ones the personality gives). */
enum {
	LINUX_AT_NULL = 0, LINUX_AT_PHDR = 3, LINUX_AT_PHENT = 4, LINUX_AT_PHNUM = 5,
	LINUX_AT_PAGESZ = 6, LINUX_AT_BASE = 7, LINUX_AT_FLAGS = 8, LINUX_AT_ENTRY = 9,
	LINUX_AT_UID = 11, LINUX_AT_EUID = 12, LINUX_AT_GID = 13, LINUX_AT_EGID = 14,
	LINUX_AT_PLATFORM = 15, LINUX_AT_HWCAP = 16, LINUX_AT_CLKTCK = 17,
	LINUX_AT_SECURE = 23, LINUX_AT_RANDOM = 25, LINUX_AT_HWCAP2 = 26,
	LINUX_AT_EXECFN = 31,
};

/* mmap's and mprotect's. */
#define LINUX_PROT_READ 1
#define LINUX_PROT_WRITE 2
#define LINUX_PROT_EXEC 4
#define LINUX_MAP_SHARED 0x01
#define LINUX_MAP_PRIVATE 0x02
#define LINUX_MAP_FIXED 0x10
#define LINUX_MAP_ANONYMOUS 0x20
#define LINUX_MAP_FIXED_NOREPLACE 0x100000

/* ioctl requests answered; arch_prctl codes. */
#define LINUX_TCGETS 0x5401
#define LINUX_TIOCGWINSZ 0x5413
#define LINUX_TIOCGPGRP 0x540f
#define LINUX_ARCH_SET_FS 0x1002
#define LINUX_ARCH_GET_FS 0x1003

/* --- signals */

#define LINUX_SIGHUP 1
#define LINUX_SIGINT 2
#define LINUX_SIGQUIT 3
#define LINUX_SIGILL 4
#define LINUX_SIGTRAP 5
#define LINUX_SIGABRT 6
#define LINUX_SIGBUS 7
#define LINUX_SIGFPE 8
#define LINUX_SIGKILL 9
#define LINUX_SIGUSR1 10
#define LINUX_SIGSEGV 11
#define LINUX_SIGUSR2 12
#define LINUX_SIGPIPE 13
#define LINUX_SIGALRM 14
#define LINUX_SIGTERM 15
#define LINUX_SIGCHLD 17
#define LINUX_SIGCONT 18
#define LINUX_SIGSTOP 19
#define LINUX_SIGTSTP 20
#define LINUX_SIGTTIN 21
#define LINUX_SIGTTOU 22
#define LINUX_SIGURG 23
#define LINUX_SIGWINCH 28
#define LINUX_NSIG 64
/* The signals no mask holds back. */
#define LINUX_SIG_UNBLOCKABLE ((1ull << (LINUX_SIGKILL - 1)) | (1ull << (LINUX_SIGSTOP - 1)))
#define LINUX_SIG_DFL 0
#define LINUX_SIG_IGN 1

#define LINUX_SA_SIGINFO 0x4
#define LINUX_SA_RESTORER 0x04000000
#define LINUX_SA_ONSTACK 0x08000000
#define LINUX_SA_RESTART 0x10000000
#define LINUX_SA_NODEFER 0x40000000
#define LINUX_SA_RESETHAND 0x80000000u

#define LINUX_SS_ONSTACK 1
#define LINUX_SS_DISABLE 2
#define LINUX_MINSIGSTKSZ 2048

/* si_code values. */
#define LINUX_SI_USER 0
#define LINUX_SI_KERNEL 0x80
#define LINUX_SI_TKILL (-6)
#define LINUX_CLD_EXITED 1
#define LINUX_CLD_KILLED 2

/* Internal: a call a signal interrupted; restarted, or EINTR (signal.c). */
#define LINUX_ERESTARTSYS 512
#define LINUX_ERESTARTNOHAND 514

/* The kernel's struct sigaction on x86-64 (rt_sigaction's). */
struct linux_sigaction {
	uint64_t handler, flags, restorer, mask;
};

struct linux_stack_t {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

/* struct sigcontext (uc_mcontext): the registers at delivery. */
struct linux_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;     /* the fxsave image's address, 0 for none */
	uint64_t reserved1[8];
};

struct linux_ucontext {
	uint64_t flags, link;
	struct linux_stack_t stack;
	struct linux_sigcontext mcontext;
	uint64_t sigmask;
};

struct linux_siginfo {
	int32_t signo, errno_, code, pad;
	union {
		struct { uint32_t pid, uid; int32_t status, pad; int64_t utime, stime; } chld;
		struct { uint32_t pid, uid; } kill;
		uint64_t addr;
		uint8_t bytes[112];
	} u;
};

/* What a handler finds at its stack pointer: the restorer's address (its
 * return address), then the ucontext and the siginfo; the FP state is
 * elsewhere above it, 64-byte aligned (sigcontext's fpstate). */
struct linux_rt_sigframe {
	uint64_t pretcode;
	struct linux_ucontext uc;
	struct linux_siginfo info;
};

_Static_assert(sizeof(struct linux_sigcontext) == 256, "Linux's struct sigcontext");
_Static_assert(sizeof(struct linux_ucontext) == 304, "Linux's struct ucontext");
_Static_assert(sizeof(struct linux_siginfo) == 128, "Linux's siginfo_t");
_Static_assert(__builtin_offsetof(struct linux_rt_sigframe, uc.mcontext) == 48, "uc_mcontext");
_Static_assert(__builtin_offsetof(struct linux_rt_sigframe, info) == 312, "the siginfo");

#define LINUX_FXSTATE_SIZE 512  /* the fxsave image on the frame */
#define LINUX_FP_XSTATE_MAGIC1 0x46505853u /* fx_sw_bytes' magic (not set: no xsave image) */

#endif
