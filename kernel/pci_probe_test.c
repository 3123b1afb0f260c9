/*
 * Host tests of pci_probe_function on a fake function in memory: its
 * configuration space is a byte image, and each BAR has a size mask that
 * a write of all ones reads back through, as hardware does.
 */
#include <string.h>

#include "kernel/pci_probe.h"
#include "lib/test.h"

struct fake {
	uint8_t cfg[4096];
	uint32_t bar_mask[6];       /* bits that stick in BARn; 0: unimplemented */
	uint32_t writes_decoding;   /* BAR writes made while decoding was on */
	unsigned warns;
};

static uint32_t get32(struct fake *f, uint16_t off)
{
	uint32_t v;

	memcpy(&v, f->cfg + off, 4);
	return v;
}

static uint32_t fake_read(void *ctx, uint16_t off)
{
	return get32(ctx, off);
}

static void fake_write(void *ctx, uint16_t off, uint32_t value)
{
	struct fake *f = ctx;

	if (off >= PCI_BAR0 && off < PCI_BAR0 + 24) {
		unsigned i = (off - PCI_BAR0) / 4;
		uint32_t low = get32(f, off) & ~f->bar_mask[i] & 0xf; /* type bits */

		if (get32(f, PCI_COMMAND) & (PCI_CMD_IO | PCI_CMD_MEMORY))
			f->writes_decoding++;
		value = (value & f->bar_mask[i]) | low;
	}
	if (off == PCI_COMMAND) /* status: write one to clear */
		value = (value & 0xffff) | (get32(f, off) & 0xffff0000u & ~value);
	memcpy(f->cfg + off, &value, 4);
}

static void fake_warn(void *ctx, const char *message)
{
	((struct fake *)ctx)->warns++;
}

static void put32(struct fake *f, uint16_t off, uint32_t v)
{
	memcpy(f->cfg + off, &v, 4);
}

/* A virtio-net-like type 0 function: an I/O BAR of 32 ports, a 4 KiB
 * memory BAR, a 16 KiB prefetchable 64-bit BAR in slots 4-5, and the
 * capabilities msix -> vendor -> pm. */
static void make_device(struct fake *f)
{
	memset(f, 0, sizeof *f);
	put32(f, PCI_VENDOR, 0x10001af4);
	put32(f, PCI_COMMAND, 0x00100007); /* caps in status; io, mem, master on */
	put32(f, PCI_CLASS_REV, 0x02000001);
	put32(f, PCI_SUBSYSTEM, 0x00011af4);
	put32(f, PCI_BAR0, 0xc041);
	f->bar_mask[0] = 0xffffffe0;
	put32(f, PCI_BAR0 + 4, 0xfebd1000);
	f->bar_mask[1] = 0xfffff000;
	put32(f, PCI_BAR0 + 16, 0xfe00000c);
	f->bar_mask[4] = 0xffffc000;
	put32(f, PCI_BAR0 + 20, 0x1);
	f->bar_mask[5] = 0xffffffff;
	f->cfg[PCI_CAP_PTR] = 0x98;
	f->cfg[0x98] = 0x11, f->cfg[0x99] = 0x84;
	f->cfg[0x84] = 0x09, f->cfg[0x85] = 0x40;
	f->cfg[0x40] = 0x01, f->cfg[0x41] = 0x00;
}

static struct pci_config config_of(struct fake *f)
{
	return (struct pci_config){fake_read, fake_write, fake_warn, f, 256};
}

TEST(pci_probe, identity_bars_and_caps_of_a_type0_function)
{
	static struct fake f;
	struct pci_config c;
	struct pci_function fn = {0};
	uint8_t before[64];

	make_device(&f);
	c = config_of(&f);
	memcpy(before, f.cfg, sizeof before);
	ASSERT(pci_probe_function(&c, &fn));
	EXPECT_EQ(fn.vendor, 0x1af4);
	EXPECT_EQ(fn.device_id, 0x1000);
	EXPECT_EQ(fn.class, 2);
	EXPECT_EQ(fn.subclass, 0);
	EXPECT_EQ(fn.revision, 1);
	EXPECT_EQ(fn.subsystem_vendor, 0x1af4);
	EXPECT_EQ(fn.subsystem, 1);
	EXPECT_EQ(fn.header_type, 0);
	EXPECT(!fn.multi_function);
	ASSERT_EQ(fn.bar_count, 3);
	EXPECT_EQ(fn.bars[0].index, 0);
	EXPECT_EQ(fn.bars[0].flags, PCI_BAR_IO);
	EXPECT_EQ(fn.bars[0].size, 32);
	EXPECT_EQ(fn.bars[0].base, 0xc040);
	EXPECT_EQ(fn.bars[1].flags, 0);
	EXPECT_EQ(fn.bars[1].size, 4096);
	EXPECT_EQ(fn.bars[1].base, 0xfebd1000);
	EXPECT_EQ(fn.bars[2].index, 4);
	EXPECT_EQ(fn.bars[2].flags, PCI_BAR_64 | PCI_BAR_PREFETCH);
	EXPECT_EQ(fn.bars[2].size, 16384);
	EXPECT_EQ(fn.bars[2].base, 0x1fe000000ull);
	ASSERT_EQ(fn.cap_count, 3);
	EXPECT_EQ(fn.caps[0], 0x11);
	EXPECT_EQ(fn.caps[1], 0x09);
	EXPECT_EQ(fn.caps[2], 0x01);
	EXPECT_EQ(fn.cap_offsets[2], 0x40);
	EXPECT_EQ(f.warns, 0);
	EXPECT_EQ(f.writes_decoding, 0);
	for (unsigned i = 0; i < sizeof before; i++)
		EXPECT_EQ(f.cfg[i], before[i]); /* BARs, command restored */
}

TEST(pci_probe, no_function_answers_all_ones)
{
	static struct fake f;
	struct pci_config c;
	struct pci_function fn = {0};

	memset(&f, 0xff, sizeof f.cfg);
	c = config_of(&f);
	EXPECT(!pci_probe_function(&c, &fn));
}

TEST(pci_probe, a_looping_capability_list_is_cut)
{
	static struct fake f;
	struct pci_config c;
	struct pci_function fn = {0};

	make_device(&f);
	f.cfg[0x41] = 0x98; /* pm points back at msix */
	c = config_of(&f);
	ASSERT(pci_probe_function(&c, &fn));
	EXPECT_EQ(fn.cap_count, PCI_CAPS_MAX);
	EXPECT_EQ(f.warns, 1);
}

TEST(pci_probe, a_capability_pointer_into_the_header_is_refused)
{
	static struct fake f;
	struct pci_config c;
	struct pci_function fn = {0};

	make_device(&f);
	f.cfg[0x85] = 0x10;
	c = config_of(&f);
	ASSERT(pci_probe_function(&c, &fn));
	EXPECT_EQ(fn.cap_count, 2);
	EXPECT_EQ(f.warns, 1);
}

TEST(pci_probe, absurd_bars_are_dropped_with_a_warning)
{
	static struct fake f;
	struct pci_config c;
	struct pci_function fn = {0};

	make_device(&f);
	f.bar_mask[1] = 0xfff0f000;       /* a hole: not a power of two */
	put32(&f, PCI_BAR0 + 8, 0x6);     /* reserved memory type 3 */
	f.bar_mask[2] = 0xfffff000;
	put32(&f, PCI_BAR0 + 16, 0);
	put32(&f, PCI_BAR0 + 20, 0x4);    /* 64-bit in the last slot */
	c = config_of(&f);
	ASSERT(pci_probe_function(&c, &fn));
	EXPECT_EQ(fn.bar_count, 2); /* BAR0, and BAR4 now 32-bit */
	EXPECT_EQ(f.warns, 3);
}

TEST(pci_probe, a_bridge_has_two_bars_and_no_subsystem)
{
	static struct fake f;
	struct pci_config c;
	struct pci_function fn = {0};

	make_device(&f);
	f.cfg[PCI_HEADER + 2] = 0x81;
	c = config_of(&f);
	ASSERT(pci_probe_function(&c, &fn));
	EXPECT_EQ(fn.header_type, 1);
	EXPECT(fn.multi_function);
	EXPECT_EQ(fn.bar_count, 2);
	EXPECT_EQ(fn.subsystem_vendor, 0);
}
