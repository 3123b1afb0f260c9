/*
 * lx-signals: Linux signal delivery as a program sees it, without a C
 * library. tests/linux-sh.t runs it on Lemmings and on the host's Linux
 * and compares the output and status.
 *
 * `lx-signals`: a handler for SIGUSR1 (SA_SIGINFO, SA_RESTORER, SIGUSR2 in
 * sa_mask) gets rdi = 10, rsi = its siginfo, rdx = its ucontext, a stack
 * pointer as after a call; the siginfo says SIGUSR1, SI_USER, our pid and
 * uid; the mask during the handler holds SIGUSR1 and SIGUSR2, the
 * ucontext's the mask before; the handler clobbers every register and
 * xmm0, xmm15, and after rt_sigreturn each has its value again (rax:
 * kill's 0). SA_RESETHAND leaves SIG_DFL behind. A read of a pipe that a
 * child's SIGUSR2 interrupts returns EINTR without SA_RESTART and goes on
 * to the child's byte with it. SIGCHLD's siginfo names the child and its
 * exit status, caught in rt_sigsuspend. A child that spins in ring 3
 * without a call takes SIGUSR1 into its handler, and one without a
 * handler is ended by SIGTERM. SA_ONSTACK runs a handler on the
 * sigaltstack, which says so (SS_ONSTACK).
 * `lx-signals badframe`: rt_sigreturn of a frame with a non-canonical rip
 * ends the process by SIGSEGV. `lx-signals badstack`: rt_sigreturn with
 * the stack pointer in unmapped memory, the same. `lx-signals badfp`: a
 * frame whose FP state has MXCSR's reserved bits set, the same.
 */
#include "lx.h"

#define SIGUSR1 10
#define SIGUSR2 12
#define SIGCHLD 17
#define SA_SIGINFO 0x4
#define SA_RESTART 0x10000000
#define SA_RESETHAND 0x80000000ul
#define BIT(s) (1ul << ((s) - 1))

struct siginfo {
	int signo, errno_, code, pad;
	unsigned pid, uid;
	int status;
};

/* The ucontext's start: flags, link, stack (24), mcontext (256), mask. */
struct ucontext {
	u64 flags, link, stack[3];
	u64 mcontext[32];
	u64 sigmask;
};

static int failed;
static volatile u64 entry_rsp, got_sig, got_info, got_uc, mask_in_handler, uc_mask, handled;
static volatile struct siginfo info_copy;
static volatile int chld_pid, chld_code, chld_status, usr2_count;

static void check(int ok, const char *what)
{
	say_line(ok ? "ok " : "FAIL ", what, "\n");
	failed |= !ok;
}

/* The handler's entry: note the stack pointer, clobber what the frame
 * must restore, then the C part. */
void usr1_entry(void);
void usr1_c(long sig, struct siginfo *si, struct ucontext *uc);
__asm__(".globl usr1_entry\nusr1_entry:\n\tmov %rsp, entry_rsp(%rip)\n"
	"\tmov $-1, %rax\n\tmov %rax, %rbx\n\tmov %rax, %rbp\n\tmov %rax, %r8\n"
	"\tmov %rax, %r9\n\tmov %rax, %r10\n\tmov %rax, %r11\n\tmov %rax, %r12\n"
	"\tmov %rax, %r13\n\tmov %rax, %r14\n\tmov %rax, %r15\n\tmovq %rax, %xmm0\n"
	"\tmovq %rax, %xmm15\n\tjmp usr1_c\n");

void usr1_c(long sig, struct siginfo *si, struct ucontext *uc)
{
	got_sig = (u64)sig;
	got_info = (u64)si;
	got_uc = (u64)uc;
	info_copy.signo = si->signo;
	info_copy.code = si->code;
	info_copy.pid = si->pid;
	info_copy.uid = si->uid;
	uc_mask = uc->sigmask;
	if (sys6(14, 0, 0, (long)&mask_in_handler, 8, 0, 0)) /* the mask now */
		mask_in_handler = ~0ul;
	handled++;
}

static void usr2_handler(long sig)
{
	usr2_count++;
}

static void chld_handler(long sig, struct siginfo *si, void *uc)
{
	chld_pid = (int)si->pid;
	chld_code = si->code;
	chld_status = si->status;
}

/*
 * probe(out, pid): every register given a pattern, kill(pid, SIGUSR1),
 * then what each holds stored in out: rax rbx rbp r12 r13 r14 r15 rdx r8
 * r9 r10 rdi rsi xmm0 xmm15.
 */
void probe(u64 *out, long pid);
__asm__(".globl probe\nprobe:\n\tpush %rbx\n\tpush %rbp\n\tpush %r12\n\tpush %r13\n"
	"\tpush %r14\n\tpush %r15\n\tpush %rdi\n\tmov %rsi, %rdi\n\tmov $10, %esi\n"
	"\tmovabs $0x1111111111111111, %rbx\n\tmovabs $0x2222222222222222, %rbp\n"
	"\tmovabs $0x3333333333333333, %r12\n\tmovabs $0x4444444444444444, %r13\n"
	"\tmovabs $0x5555555555555555, %r14\n\tmovabs $0x6666666666666666, %r15\n"
	"\tmovabs $0x7777777777777777, %rdx\n\tmovabs $0x8888888888888888, %r8\n"
	"\tmovabs $0x9999999999999999, %r9\n\tmovabs $0xaaaaaaaaaaaaaaaa, %r10\n"
	"\tmovabs $0xbbbbbbbbbbbbbbbb, %rax\n\tmovq %rax, %xmm0\n"
	"\tmovabs $0xcccccccccccccccc, %rax\n\tmovq %rax, %xmm15\n"
	"\tmov $62, %eax\n\tsyscall\n"
	"\tpop %rcx\n\tmov %rax, 0(%rcx)\n\tmov %rbx, 8(%rcx)\n\tmov %rbp, 16(%rcx)\n"
	"\tmov %r12, 24(%rcx)\n\tmov %r13, 32(%rcx)\n\tmov %r14, 40(%rcx)\n\tmov %r15, 48(%rcx)\n"
	"\tmov %rdx, 56(%rcx)\n\tmov %r8, 64(%rcx)\n\tmov %r9, 72(%rcx)\n\tmov %r10, 80(%rcx)\n"
	"\tmov %rdi, 88(%rcx)\n\tmov %rsi, 96(%rcx)\n\tmovq %xmm0, 104(%rcx)\n"
	"\tmovq %xmm15, 112(%rcx)\n"
	"\tpop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbp\n\tpop %rbx\n\tret\n");

static void frame_checks(void)
{
	long pid = sys(39, 0, 0, 0), uid = sys(102, 0, 0, 0);
	u64 out[15], mask_after = ~0ul;
	static const u64 want[15] = {
		0, 0x1111111111111111, 0x2222222222222222, 0x3333333333333333,
		0x4444444444444444, 0x5555555555555555, 0x6666666666666666, 0x7777777777777777,
		0x8888888888888888, 0x9999999999999999, 0xaaaaaaaaaaaaaaaa, 0, 10,
		0xbbbbbbbbbbbbbbbb, 0xcccccccccccccccc};
	static const char *const names[15] = {
		"rax", "rbx", "rbp", "r12", "r13", "r14", "r15", "rdx", "r8", "r9", "r10", "rdi",
		"rsi", "xmm0", "xmm15"};
	struct lx_sigaction old;
	int all = 1;

	check(lx_sigaction(SIGUSR1, usr1_entry, SA_SIGINFO | SA_RESETHAND, BIT(SIGUSR2), 0) == 0,
	      "rt_sigaction SIGUSR1");
	probe(out, pid);
	check(handled == 1, "the handler ran once");
	check(got_sig == SIGUSR1, "rdi is the signal");
	check(got_info == entry_rsp + 8 + 304, "rsi is the siginfo on the frame");
	check(got_uc == entry_rsp + 8, "rdx is the ucontext on the frame");
	check((entry_rsp + 8) % 16 == 0, "the stack as after a call");
	check(info_copy.signo == SIGUSR1 && info_copy.code == 0, "siginfo: SIGUSR1, SI_USER");
	check(info_copy.pid == (unsigned)pid && info_copy.uid == (unsigned)uid,
	      "siginfo: our pid and uid");
	check(mask_in_handler == (BIT(SIGUSR1) | BIT(SIGUSR2)),
	      "the mask in the handler: the signal and sa_mask");
	check(uc_mask == 0, "the ucontext's mask: the one before");
	for (int i = 0; i < 15; i++) {
		u64 w = i == 11 ? (u64)pid : want[i];

		if (out[i] != w) {
			say("FAIL register ");
			say(names[i]);
			say(" not restored\n");
			all = 0;
			failed = 1;
		}
	}
	check(all, "rt_sigreturn restored every register, xmm0 and xmm15");
	sys6(14, 0, 0, (long)&mask_after, 8, 0, 0);
	check(mask_after == 0, "the mask after: the one before");
	sys6(13, SIGUSR1, 0, (long)&old, 8, 0, 0);
	check(old.handler == 0, "SA_RESETHAND: SIG_DFL after");
}

static const struct {
	long sec, nsec;
} tick = {0, 20000000};

/* A child that sends SIGUSR2 to its parent every 20 ms: until the parent
 * writes to done (restart 0), or five times and then a byte to data. */
static void sender(int restart, int data, int done)
{
	long ppid = sys(110, 0, 0, 0);
	char b;

	for (int i = 0; i < 500; i++) {
		sys(62, ppid, SIGUSR2, 0);
		sys(35, (long)&tick, 0, 0);
		if (!restart && sys(0, done, (long)&b, 1) == 1)
			leave(0);
		if (restart && i == 4) {
			sys(1, data, (long)"x", 1);
			leave(0);
		}
	}
	leave(1);
}

static void interrupt_checks(int restart)
{
	int data[2], done[2];
	long pid, r;
	char b = 0;
	int status = -1;

	check(lx_sigaction(SIGUSR2, usr2_handler, restart ? SA_RESTART : 0, 0, 0) == 0,
	      restart ? "SIGUSR2 with SA_RESTART" : "SIGUSR2 without SA_RESTART");
	sys(293, (long)data, 0, 0);
	sys(293, (long)done, 04000, 0); /* O_NONBLOCK: the child looks */
	pid = sys(57, 0, 0, 0);
	if (pid == 0)
		sender(restart, data[1], done[0]);
	usr2_count = 0;
	r = sys(0, data[0], (long)&b, 1);
	if (restart)
		check(r == 1 && b == 'x', "SA_RESTART: the read goes on to the child's byte");
	else
		check(r == -4, "no SA_RESTART: the read returns EINTR");
	check(usr2_count > 0, "the handler ran");
	sys(1, done[1], (long)"d", 1);
	do
		r = sys6(61, pid, (long)&status, 0, 0, 0, 0);
	while (r == -4);
	check(r == pid && status == 0, "the sender ended");
	sys(3, data[0], 0, 0); sys(3, data[1], 0, 0); sys(3, done[0], 0, 0); sys(3, done[1], 0, 0);
}

static void chld_checks(void)
{
	u64 all = ~0ul & ~BIT(SIGCHLD), none = 0, block = BIT(SIGCHLD), old;
	long pid;
	int status;

	check(lx_sigaction(SIGCHLD, chld_handler, SA_SIGINFO, 0, 0) == 0, "rt_sigaction SIGCHLD");
	sys6(14, 0, (long)&block, (long)&old, 8, 0, 0); /* SIG_BLOCK until we wait */
	pid = sys(57, 0, 0, 0);
	if (pid == 0)
		leave(5);
	while (!chld_pid)
		check(sys(130, (long)&all, 8, 0) == -4, "rt_sigsuspend returns EINTR");
	check(chld_pid == pid && chld_code == 1 && chld_status == 5,
	      "SIGCHLD's siginfo: the child, CLD_EXITED, its status");
	sys6(14, 2, (long)&none, 0, 8, 0, 0);
	check(sys6(61, pid, (long)&status, 0, 0, 0, 0) == pid && status == 5 << 8,
	      "wait4 after");
}

static unsigned char altstack[16384] __attribute__((aligned(16)));
static volatile u64 onstack_sp;
static volatile int onstack_flags = -1;

static void onstack_handler(long sig)
{
	u64 ss[3];
	volatile int here;

	onstack_sp = (u64)&here;
	if (sys(131, 0, (long)ss, 0) == 0)
		onstack_flags = (int)ss[1];
}

static void onstack_checks(void)
{
	u64 ss[3] = {(u64)altstack, 0, sizeof altstack}, off[3] = {0, 2 /* SS_DISABLE */, 0};

	check(sys(131, (long)ss, 0, 0) == 0, "sigaltstack");
	lx_sigaction(1, onstack_handler, 0x08000000 /* SA_ONSTACK */, 0, 0);
	sys(62, sys(39, 0, 0, 0), 1, 0);
	check(onstack_sp > (u64)altstack && onstack_sp < (u64)altstack + sizeof altstack,
	      "SA_ONSTACK: the handler runs on the alternate stack");
	check(onstack_flags == 1, "and sigaltstack says SS_ONSTACK there");
	sys(131, (long)off, 0, 0);
}

static volatile int spun;

static void spin_handler(long sig)
{
	spun = 1;
}

/* A child that tells its parent it spins, then spins without a call:
 * until its handler ran (handled), or for ever. */
static long spinner(int handled)
{
	int p[2];
	long pid;
	char b;

	sys(293, (long)p, 0, 0);
	pid = sys(57, 0, 0, 0);
	if (pid == 0) {
		if (handled)
			lx_sigaction(SIGUSR1, spin_handler, 0, 0, 0);
		sys(1, p[1], (long)"s", 1);
		while (!spun)
			;
		leave(3);
	}
	sys(0, p[0], (long)&b, 1); /* it spins now, or is about to */
	sys(3, p[0], 0, 0);
	sys(3, p[1], 0, 0);
	return pid;
}

static void spin_checks(void)
{
	int status = -1;
	long pid = spinner(1);

	sys(62, pid, SIGUSR1, 0);
	check(sys6(61, pid, (long)&status, 0, 0, 0, 0) == pid && status == 3 << 8,
	      "a child spinning in ring 3 takes its signal into its handler");
	pid = spinner(0);
	sys(62, pid, 15, 0);
	check(sys6(61, pid, (long)&status, 0, 0, 0, 0) == pid && status == 15,
	      "and one without a handler is ended by SIGTERM");
}

static volatile long alarmed;

static void alarm_handler(long sig)
{
	alarmed = sig;
}

/* alarm: the seconds left of the one before; SIGALRM when it comes. */
static void alarm_checks(void)
{
	check(sys(37, 5, 0, 0) == 0, "alarm: none was set before");
	check(sys(37, 0, 0, 0) == 5, "alarm(0) cancels it: 5 seconds were left");
	lx_sigaction(14 /* SIGALRM */, alarm_handler, 0, 0, 0);
	sys(37, 1, 0, 0);
	check(sys(34, 0, 0, 0) == -4 && alarmed == 14, "alarm(1): SIGALRM ends a pause");
}

/* rt_sigreturn of a made-up frame at sp. */
static void sigreturn_at(u64 sp)
{
	__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\thlt" : : "r"(sp));
}

static u64 fake[64] __attribute__((aligned(16)));
static unsigned char fx[512] __attribute__((aligned(64)));
static u64 fake_stack[64] __attribute__((aligned(16)));

static void fp_survived(void)
{
	say("FAIL a bad FP state was taken\n");
	leave(1);
}

int main(u64 *sp)
{
	char *arg = sp[0] > 1 ? (char *)sp[2] : "";

	/* The frame is at fake[0] (rsp - 8); uc_mcontext at fake[6]. */
	if (arg[0] == 'b' && arg[3] == 'f' && arg[4] == 'r') { /* badframe */
		fake[22] = 0x8000000000000000ul; /* uc_mcontext.rip: not canonical */
		fake[21] = (u64)&fake[40];       /* rsp */
		sigreturn_at((u64)&fake[1]);
		say("FAIL a bad frame was taken\n");
		return 1;
	}
	if (arg[0] == 'b' && arg[3] == 'f') { /* badfp */
		fake[22] = (u64)fp_survived;                /* rip */
		fake[21] = (u64)&fake_stack[60];            /* rsp */
		fake[24] = 0x33 | (u64)0x2b << 48;          /* cs, ss: Linux's */
		fake[29] = (u64)fx;                         /* fpstate */
		fx[24] = 0x80;
		fx[25] = 0x1f;
		fx[26] = 0xff;                              /* MXCSR 0x00ff1f80: reserved bits */
		sigreturn_at((u64)&fake[1]);
		say("FAIL a bad frame returned\n");
		return 1;
	}
	if (arg[0] == 'b') { /* badstack */
		sigreturn_at(0x10);
		say("FAIL an unreadable frame was taken\n");
		return 1;
	}
	frame_checks();
	interrupt_checks(0);
	interrupt_checks(1);
	chld_checks();
	spin_checks();
	onstack_checks();
	alarm_checks();
	return failed;
}
