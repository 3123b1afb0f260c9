/*
 * Boot stages and quirks (stage.h, docs/quirks.md).
 *
 * Owns: the list of the stage's scripts (one stage at a time, so static),
 * the facts quirks are matched against, the stage's borrowed stack and the
 * words only stage scripts have (below). Runs in kmain, one stage after
 * another, on the boot thread (at stage programs in the stage thread while
 * the boot thread waits for it): one thread at a time, no locking.
 *
 * Where the scripts run. Before stage programs no thread is scheduled, and
 * the scripts run on the boot thread. Its stack is 16 KiB, and the
 * language's machine wants its calling thread's stack to be
 * LANG_KERNEL_STACK_PAGES deep (its return stack is the lower part of it):
 * for the stage, the boot thread's stack bounds are those of a stack taken
 * from kstack, the scripts run there (ctx_call_on_stack), and the bounds
 * are put back after. Preemption and the fault catcher see a thread whose
 * stack is where it runs. At stage programs the scheduler runs, and a door
 * call may wait (a sleep, a park), which hart 0's idle thread - the boot
 * thread - must never do: the scripts run in a thread of their own,
 * "stage", pinned to hart 0, while the boot thread takes idle steps
 * (sched_idle_step) until it is done.
 *
 * Words of the stage scripts, beside the language and the hardware words:
 *
 *   hart-keep-out       ( apic -- )  the hart with this APIC id is not
 *                                    started (stages acpi and harts)
 *   acpi-override-drop  ( irq -- )   forget the MADT's interrupt source
 *                                    override of ISA IRQ irq (stage acpi)
 *   hpet-ignore         ( -- )       forget the HPET: time is calibrated
 *                                    against the PIT (stage acpi)
 *   pci-find            ( vendor device -- index | -1 )  the first PCI
 *                                    function with these ids (stage harts on)
 *
 * At stage programs the doors are published: the scripts' machines are
 * shells' (services/shell.h), with every door routine as a word. Before,
 * there are no doors; an unknown word shaped as a door routine says so.
 */
#include "kernel/stage.h"

#include "arch/context.h"
#include "arch/cpu.h"
#include "arch/layout.h"
#include "arch/vm.h"
#include "core/archive.h"
#include "core/sched.h"
#include "core/thread.h"
#include "kernel/boot.h"
#include "kernel/bootopt.h"
#include "kernel/console.h"
#include "kernel/firmware.h"
#include "kernel/kstack.h"
#include "kernel/lang_kernel.h"
#include "kernel/pci.h"
#include "kernel/smbios.h"
#include "kernel/smp.h"
#include "lib/fmt.h"
#include "lib/string.h"
#include "services/shell.h"

BOOTOPT(quirks, "off: no quirk runs (the scripts of /etc/stages still do)");
BOOTOPT(quirk, "NAME: only the quirk /etc/quirks/NAME.fs runs, whether it matches or not");
BOOTOPT(stages, "the folder of the boot stages' scripts (default /etc/stages)");

#define STAGE_JOBS_MAX 32
#define STAGE_STACK_PAGES (LANG_KERNEL_STACK_PAGES + 8)
#define STAGE_BUDGET 100000000ull /* steps per script: an endless loop ends */
#define QUIRKS_DIR "/etc/quirks"

/* One script to run. */
struct job {
	char path[LANG_FILE_NAME_MAX];
	char name[LANG_FILE_NAME_MAX]; /* a quirk's name: the file's, without .fs */
	const char *text;
	size_t len;
	bool quirk;
	char why[160];                 /* what matched */
};

static struct {
	enum stage stage;
	struct job jobs[STAGE_JOBS_MAX];
	uint32_t njobs;
	const struct job *current;
	struct archive archive;
	bool archive_open;
	struct quirk_facts facts;
	bool have_smbios;
	struct shell sh;
	char last; /* the last byte a script wrote */
	bool done; /* the stage thread has run every script */
} st;

/* Quirks' names as hart-keep-out records them (smp keeps the pointer). */
static char kept_by[HART_MAX][LANG_FILE_NAME_MAX + 8];
static uint32_t nkept_by;

/* ---------------------------------------------------------------- facts */

static void cpuid_text(uint32_t leaf, char *out, bool ebx_edx_ecx)
{
	uint32_t a, b, c, d;

	cpuid(leaf, 0, &a, &b, &c, &d);
	memcpy(out, &b, 4);
	memcpy(out + 4, ebx_edx_ecx ? &d : &c, 4);
	memcpy(out + 8, ebx_edx_ecx ? &c : &d, 4);
	out[12] = 0;
	for (int i = 0; i < 12; i++)
		if (out[i] && (out[i] < 0x20 || out[i] > 0x7e))
			out[i] = '?';
}

/* SMBIOS: the entry point in the BIOS area (the first MiB is in the
 * direct map), the table wherever it says, read through the firmware's
 * reader (which maps reserved memory on demand). */
static void smbios_facts(struct quirk_facts *f)
{
	static uint8_t table[16384];
	uint64_t addr = 0;
	uint32_t len = 0;
	enum lm_err err = LM_ERR_NOENT;

	for (uint64_t p = 0xf0000; p < 0x100000 && err; p += 16)
		err = smbios_entry(phys_to_virt(p), 0x100000 - p, &addr, &len);
	if (err) {
		kprintf("quirks: no SMBIOS entry point in the BIOS area; smbios matches fail\n");
		return;
	}
	if (len > sizeof table)
		len = sizeof table;
	if (!firmware_read_phys(addr, table, len) ||
	    smbios_system(table, len, f->smbios_vendor, f->smbios_product,
			  sizeof f->smbios_vendor) != LM_OK) {
		kprintf("quirks: SMBIOS table at 0x%llx unreadable or without system "
			"information; smbios matches fail\n", (unsigned long long)addr);
		f->smbios_vendor[0] = f->smbios_product[0] = 0;
	}
}

static void gather_facts(void)
{
	struct quirk_facts *f = &st.facts;
	uint32_t a, b, c, d;

	if (!st.have_smbios) {
		st.have_smbios = true;
		smbios_facts(f);
		cpuid_text(0, f->cpu_vendor, true);
		cpuid(1, 0, &a, &b, &c, &d);
		quirk_cpu_signature(a, &f->cpu_family, &f->cpu_model);
		f->hypervisor[0] = 0;
		if (c & (1u << 31))
			cpuid_text(0x40000000, f->hypervisor, false);
		kprintf("quirks: machine: smbios \"%s\" \"%s\", cpu %s family %u model %u, "
			"hypervisor \"%s\"\n", f->smbios_vendor, f->smbios_product, f->cpu_vendor,
			f->cpu_family, f->cpu_model, f->hypervisor);
	}
	f->ntables = firmware.table_count < QUIRK_FACTS_TABLES ? firmware.table_count
							       : QUIRK_FACTS_TABLES;
	for (uint32_t i = 0; i < f->ntables; i++) {
		memcpy(f->acpi_oem[i], firmware.table_oem[i], sizeof f->acpi_oem[i]);
		memcpy(f->acpi_table[i], firmware.table_oem_table[i], sizeof f->acpi_table[i]);
	}
	f->npci = 0;
	for (uint32_t i = 0; i < pci_function_count() && f->npci < QUIRK_FACTS_PCI; i++) {
		const struct pci_function *fn = pci_function_get(i);

		if (fn)
			f->pci[f->npci++] = (uint32_t)fn->vendor << 16 | fn->device_id;
	}
}

/* ---------------------------------------------------------------- the list */

static bool ends_fs(const struct archive_entry *e)
{
	return (e->mode & ARCHIVE_S_IFMT) == ARCHIVE_S_IFREG && e->name_len > 3 &&
	       e->name_len < LANG_FILE_NAME_MAX - 16 &&
	       memcmp(e->name + e->name_len - 3, ".fs", 3) == 0;
}

static struct job *add_job(const char *dir, const struct archive_entry *e, bool quirk)
{
	struct job *j;

	if (st.njobs == STAGE_JOBS_MAX) {
		kprintf("stage %s: more than %u scripts; %s/%.*s and later ones skipped\n",
			stage_name(st.stage), STAGE_JOBS_MAX, dir, (int)e->name_len, e->name);
		return NULL;
	}
	j = &st.jobs[st.njobs];
	memset(j, 0, sizeof *j);
	fmt_snprintf(j->path, sizeof j->path, "%s/%.*s", dir, (int)e->name_len, e->name);
	fmt_snprintf(j->name, sizeof j->name, "%.*s", (int)e->name_len - 3, e->name);
	j->text = (const char *)e->data;
	j->len = (size_t)e->size;
	j->quirk = quirk;
	st.njobs++;
	return j;
}

/* The .fs files of a folder, in name order (shown names are made safe:
 * only printable ones are taken). */
static uint32_t list_dir(const char *dir, struct archive_entry *out, uint32_t max)
{
	struct archive_entry e;
	uint64_t cookie = 0;
	uint32_t n = 0;

	if (archive_lookup(&st.archive, dir, &e) != LM_OK)
		return 0;
	while (archive_next(&st.archive, e.id, &cookie, &out[n]) == LM_OK) {
		bool plain = ends_fs(&out[n]);

		for (size_t i = 0; plain && i < out[n].name_len; i++)
			plain = out[n].name[i] > 0x20 && out[n].name[i] < 0x7f;
		if (!plain)
			continue;
		/* insertion in name order */
		for (uint32_t i = n; i > 0; i--) {
			struct archive_entry *a = &out[i - 1], *b = &out[i], t;
			size_t m = a->name_len < b->name_len ? a->name_len : b->name_len;
			int c = memcmp(a->name, b->name, m);

			if (c < 0 || (c == 0 && a->name_len <= b->name_len))
				break;
			t = *a, *a = *b, *b = t;
		}
		if (++n == max)
			break;
	}
	return n;
}

static void add_hooks(void)
{
	static struct archive_entry e[STAGE_JOBS_MAX];
	const char *opt = bootopt_get("stages");
	char dir[LANG_FILE_NAME_MAX - 16];
	uint32_t n;

	fmt_snprintf(dir, sizeof dir, "%s/%s", opt && *opt ? opt : "/etc/stages",
		     stage_name(st.stage));
	n = list_dir(dir, e, STAGE_JOBS_MAX);
	for (uint32_t i = 0; i < n; i++)
		add_job(dir, &e[i], false);
}

static void add_quirks(void)
{
	static struct archive_entry e[STAGE_JOBS_MAX];
	static struct quirk_header h;
	const char *only = bootopt_get("quirk"), *opt = bootopt_get("quirks");
	bool first = st.stage == STAGE_ACPI, found = false;
	struct quirk_error err;
	uint32_t n;

	if (opt && strcmp(opt, "off") == 0) {
		if (first)
			kprintf("quirks: off (quirks=off)\n");
		return;
	}
	n = list_dir(QUIRKS_DIR, e, STAGE_JOBS_MAX);
	if (first)
		kprintf("quirks: %u in %s%s%s\n", n, QUIRKS_DIR, only ? "; only quirk=" : "",
			only ? only : "");
	for (uint32_t i = 0; i < n; i++) {
		bool forced = only && strlen(only) == e[i].name_len - 3 &&
			      memcmp(only, e[i].name, e[i].name_len - 3) == 0;
		struct job *j;
		char why[sizeof j->why];

		if (only && !forced)
			continue;
		found = true;
		if (quirk_parse((const char *)e[i].data, (size_t)e[i].size, &h, &err)) {
			if (first)
				kprintf("%s/%.*s:%u:%u: error: %s; the quirk is skipped\n", QUIRKS_DIR,
					(int)e[i].name_len, e[i].name, err.line, err.col, err.what);
			continue;
		}
		if (h.stage != st.stage)
			continue;
		if (!forced && !quirk_matches(&h, &st.facts, why, sizeof why))
			continue;
		if (!(j = add_job(QUIRKS_DIR, &e[i], true)))
			return;
		if (forced)
			fmt_snprintf(j->why, sizeof j->why, "forced by quirk=%s", only);
		else
			fmt_snprintf(j->why, sizeof j->why, "matched %s", why);
		if (h.about[0]) {
			size_t k = strlen(j->why);

			fmt_snprintf(j->why + k, sizeof j->why - k, " (%s)", h.about);
		}
	}
	if (first && only && !found)
		kprintf("quirk=%s: no such quirk in %s\n", only, QUIRKS_DIR);
}

/* ---------------------------------------------------------------- words */

enum {
	STAGE_ERR_ACPI = LANG_ERR_HELPER,
	STAGE_ERR_HARTS,
	STAGE_ERR_PCI,
};

static const char *const stage_errors[] = {
	[STAGE_ERR_ACPI - LANG_ERR_HELPER] = "only at stage acpi (before the tables are used)",
	[STAGE_ERR_HARTS - LANG_ERR_HELPER] = "only at stages acpi and harts (before the "
					      "harts start)",
	[STAGE_ERR_PCI - LANG_ERR_HELPER] = "PCI is found after stage acpi",
};

static uint64_t *cells(struct lang_regs *regs)
{
	return (uint64_t *)(uintptr_t)regs->sp;
}

/* "quirk NAME" or "script PATH": who a stage word acts for. */
static const char *who(void)
{
	static char buf[LANG_FILE_NAME_MAX + 8];

	if (!st.current)
		return "?";
	fmt_snprintf(buf, sizeof buf, "%s %s", st.current->quirk ? "quirk" : "script",
		     st.current->quirk ? st.current->name : st.current->path);
	return buf;
}

/* ( apic -- ) */
static int h_keep_out(struct lang_regs *regs)
{
	uint64_t apic = cells(regs)[0];
	char *by;
	enum lm_err err;

	if (st.stage > STAGE_HARTS)
		return STAGE_ERR_HARTS;
	if (apic > UINT32_MAX)
		return LANG_ERR_LM + LM_ERR_RANGE;
	if (nkept_by == HART_MAX)
		return LANG_ERR_LM + LM_ERR_FULL;
	by = kept_by[nkept_by];
	fmt_snprintf(by, sizeof kept_by[0], "%s", who());
	err = smp_keep_out((uint32_t)apic, by);
	if (err)
		return LANG_ERR_LM + err;
	nkept_by++;
	regs->sp += 8;
	kprintf("%s: the hart with APIC id %llu will be kept out\n", who(),
		(unsigned long long)apic);
	return 0;
}

/* ( irq -- ) */
static int h_override_drop(struct lang_regs *regs)
{
	uint64_t irq = cells(regs)[0];
	enum lm_err err;

	if (st.stage != STAGE_ACPI)
		return STAGE_ERR_ACPI;
	err = irq > 255 ? LM_ERR_RANGE : firmware_override_drop((uint32_t)irq);
	if (err)
		return LANG_ERR_LM + err;
	regs->sp += 8;
	kprintf("%s: the MADT's interrupt source override of IRQ %llu is ignored\n",
		who(), (unsigned long long)irq);
	return 0;
}

/* ( -- ) */
static int h_hpet_ignore(struct lang_regs *regs)
{
	if (st.stage != STAGE_ACPI)
		return STAGE_ERR_ACPI;
	firmware_hpet_ignore();
	kprintf("%s: the HPET is ignored; time is calibrated against the PIT\n", who());
	return 0;
}

/* ( vendor device -- index | -1 ) */
static int h_pci_find(struct lang_regs *regs)
{
	uint64_t *c = cells(regs), device = c[0], vendor = c[1];
	int64_t found = -1;

	if (st.stage == STAGE_ACPI)
		return STAGE_ERR_PCI;
	for (uint32_t i = 0; found < 0 && i < pci_function_count(); i++) {
		const struct pci_function *fn = pci_function_get(i);

		if (fn && fn->vendor == vendor && fn->device_id == device)
			found = i;
	}
	regs->sp += 8;
	cells(regs)[0] = (uint64_t)found;
	return 0;
}

static const struct lang_word_def stage_words[] = {
	{ "hart-keep-out", h_keep_out, 1, 0 },
	{ "acpi-override-drop", h_override_drop, 1, 0 },
	{ "hpet-ignore", h_hpet_ignore, 0, 0 },
	{ "pci-find", h_pci_find, 2, 1 },
};

/* ---------------------------------------------------------------- running */

/* A script's output: to the console, its last byte noted (so that the
 * next log line starts a line). */
static void out(void *ctx, const char *s, size_t len)
{
	if (len)
		st.last = s[len - 1];
	console_write_from(ctx, s, len);
}

static enum lm_err machine(struct lang_vm **vm)
{
	enum lm_err err;

	if (st.stage < STAGE_PROGRAMS) {
		err = lang_kernel_new(out, NULL, vm);
		if (!err)
			(*vm)->door_hint = "no door calls before stage programs: the doors are not "
					   "published yet";
	} else {
		shell_init(&st.sh, out, NULL, st.current->path);
		st.sh.quiet = true;
		err = lang_kernel_new(shell_output, &st.sh, vm);
		if (!err && (err = shell_attach(&st.sh, *vm, false, NULL, 0, "")))
			lang_kernel_free(*vm);
	}
	if (err)
		return err;
	err = lang_add_words(*vm, stage_words, sizeof stage_words / sizeof stage_words[0],
			     stage_errors, sizeof stage_errors / sizeof stage_errors[0]);
	if (err) {
		lang_kernel_free(*vm);
		return err;
	}
	lang_set_budget(*vm, STAGE_BUDGET);
	return LM_OK;
}

static void run_one(const struct job *j)
{
	struct lang_vm *vm;
	enum lm_err err;

	st.current = j;
	if (j->quirk)
		kprintf("quirk %s (stage %s): %s\n", j->name, stage_name(st.stage), j->why);
	else
		kprintf("stage %s: %s\n", stage_name(st.stage), j->path);
	err = machine(&vm);
	if (err) {
		kprintf("stage %s: no machine for %s (%s); skipped\n", stage_name(st.stage),
			j->path, lm_err_str(err));
		return;
	}
	st.last = '\n';
	err = lang_eval(vm, j->path, j->text, j->len);
	if (st.last != '\n')
		console_write("\n", 1);
	if (err)
		kprintf("%s %s: stopped at its error; the boot goes on\n",
			j->quirk ? "quirk" : "script", j->quirk ? j->name : j->path);
	lang_kernel_free(vm);
	st.current = NULL;
}

static void run_all(void *arg)
{
	(void)arg;
	for (uint32_t i = 0; i < st.njobs; i++)
		run_one(&st.jobs[i]);
}

static void stage_thread(void *arg)
{
	run_all(arg);
	__atomic_store_n(&st.done, true, __ATOMIC_RELEASE);
}

/* Stage programs: the scripts in a thread, the boot thread idling. */
static void run_in_thread(void)
{
	struct thread_opts o = {
		.entry = stage_thread, .stack_pages = STAGE_STACK_PAGES, .name = "stage",
		.hart = 0,
	};

	st.done = false;
	if (thread_spawn(&o, NULL) != LM_OK) {
		kprintf("stage %s: no thread for the scripts; %u scripts skipped\n",
			stage_name(st.stage), st.njobs);
		return;
	}
	while (!__atomic_load_n(&st.done, __ATOMIC_ACQUIRE))
		sched_idle_step();
}

static void open_archive(void)
{
	const struct boot_module *m = boot_info.module_count ? &boot_info.modules[0] : NULL;

	st.archive_open = true;
	if (!m || archive_open(&st.archive, phys_to_virt(m->start), (size_t)(m->end - m->start),
			       NULL, NULL) != LM_OK)
		memset(&st.archive, 0, sizeof st.archive);
}

void stage_run(enum stage s)
{
	struct thread *t = thread_current();
	uintptr_t stack, base = t->stack_base, top = t->stack_top;

	if (!st.archive_open)
		open_archive();
	st.stage = s;
	st.njobs = 0;
	if (!st.archive.count)
		return;
	gather_facts();
	add_hooks();
	add_quirks();
	if (!st.njobs)
		return;
	if (s == STAGE_PROGRAMS) {
		run_in_thread();
		return;
	}
	stack = kstack_alloc(STAGE_STACK_PAGES);
	if (!stack) {
		kprintf("stage %s: no memory for the scripts' stack; %u scripts skipped\n",
			stage_name(s), st.njobs);
		return;
	}
	t->stack_base = stack;
	t->stack_top = stack + STAGE_STACK_PAGES * PAGE_SIZE;
	ctx_call_on_stack(run_all, NULL, t->stack_top);
	t->stack_base = base;
	t->stack_top = top;
	kstack_free(stack, STAGE_STACK_PAGES);
}
