/*
 * In-kernel tests of PCI enumeration and the Pci door, called through the
 * hallway as a driver would. They need a machine with a virtio network and
 * a virtio block device: tests/pci.t boots one (tools/ktest-run --device),
 * and tests/kernel.t leaves the pci suite out.
 */
#include <lemmings/pci.h>

#include "arch/vm.h"
#include "kernel/pci_probe.h"
#include "lib/test.h"

#define VIRTIO 0x1af4

static const struct pci_door *door(void)
{
	return pci_door_find();
}

/* The index of the first function with vendor VIRTIO and one of the two
 * device ids (transitional or modern), or count if there is none. */
static uint32_t find_virtio(uint16_t transitional, uint16_t modern)
{
	const struct pci_door *d = door();
	uint32_t n = pci_count(d), i;
	struct pci_function_info f;

	for (i = 0; i < n; i++)
		if (pci_info(d, i, &f) == LM_OK && f.vendor == VIRTIO &&
		    (f.device_id == transitional || f.device_id == modern))
			break;
	return i;
}

TEST(pci, finds_the_virtio_network_and_block_functions)
{
	const struct pci_door *d = door();
	struct pci_function_info net, blk;
	uint32_t n;

	ASSERT(d != NULL);
	n = pci_count(d);
	ASSERT(find_virtio(0x1000, 0x1041) < n);
	ASSERT(find_virtio(0x1001, 0x1042) < n);
	ASSERT_EQ(pci_info(d, find_virtio(0x1000, 0x1041), &net), LM_OK);
	ASSERT_EQ(pci_info(d, find_virtio(0x1001, 0x1042), &blk), LM_OK);
	EXPECT_EQ(net.class, 0x02); /* network */
	EXPECT_EQ(blk.class, 0x01); /* storage */
	EXPECT_EQ(net.header_type, 0);
	EXPECT_EQ(net.config_size, 4096); /* q35 has an MCFG */
	EXPECT_EQ(net.subsystem_vendor, VIRTIO);
}

TEST(pci, config_space_reads_match_the_list)
{
	const struct pci_door *d = door();
	uint32_t n = pci_count(d), v;
	struct pci_function_info f;

	ASSERT(n > 0);
	for (uint32_t i = 0; i < n; i++) {
		ASSERT_EQ(pci_info(d, i, &f), LM_OK);
		ASSERT_EQ(pci_read(d, i, 0, 4, &v), LM_OK);
		EXPECT_EQ(v & 0xffff, f.vendor);
		EXPECT_EQ(v >> 16, f.device_id);
		ASSERT_EQ(pci_read(d, i, 2, 2, &v), LM_OK);
		EXPECT_EQ(v, f.device_id);
		ASSERT_EQ(pci_read(d, i, 0x0b, 1, &v), LM_OK);
		EXPECT_EQ(v, f.class);
		ASSERT_EQ(pci_read(d, i, 0x08, 1, &v), LM_OK);
		EXPECT_EQ(v, f.revision);
	}
}

TEST(pci, bar_sizes_are_powers_of_two)
{
	const struct pci_door *d = door();
	uint32_t n = pci_count(d), net = find_virtio(0x1000, 0x1041);
	struct pci_bar_info b;
	unsigned net_bars = 0;

	for (uint32_t i = 0; i < n; i++)
		for (uint8_t bar = 0; bar < 6; bar++) {
			ASSERT_EQ(pci_describe_bar(d, i, bar, &b), LM_OK);
			EXPECT(!(b.size & (b.size - 1)));
			if (i == net && b.size)
				net_bars++;
		}
	EXPECT(net_bars > 0);
}

TEST(pci, a_memory_bar_maps_and_reads)
{
	const struct pci_door *d = door();
	uint32_t net = find_virtio(0x1000, 0x1041), v;
	struct pci_bar_info b;
	uintptr_t va = 0;
	uint8_t bar;

	ASSERT(net < pci_count(d));
	for (bar = 0; bar < 6; bar++)
		if (pci_describe_bar(d, net, bar, &b) == LM_OK && b.size && !(b.flags & PCI_BAR_IO))
			break;
	ASSERT(bar < 6);
	ASSERT_EQ(pci_enable(d, net, 1), LM_OK);
	ASSERT_EQ(pci_read(d, net, PCI_COMMAND, 2, &v), LM_OK);
	EXPECT((v & (PCI_CMD_MEMORY | PCI_CMD_BUS_MASTER)) == (PCI_CMD_MEMORY | PCI_CMD_BUS_MASTER));
	ASSERT_EQ(pci_map_bar(d, net, bar, &va), LM_OK);
	EXPECT_EQ(va, (uintptr_t)phys_to_virt(b.base));
	v = *(volatile uint32_t *)va; /* no fault: mapped */
	(void)v;
}

TEST(pci, bad_functions_offsets_and_widths_are_refused)
{
	const struct pci_door *d = door();
	uint32_t n = pci_count(d), v = 0x5a5a;
	struct pci_function_info f;
	struct pci_bar_info b;
	uintptr_t va;

	ASSERT(n > 0);
	ASSERT_EQ(pci_info(d, 0, &f), LM_OK);
	EXPECT_EQ(pci_info(d, n, &f), LM_ERR_INVAL);
	EXPECT_EQ(pci_info(d, 0xffffffffu, &f), LM_ERR_INVAL);
	EXPECT_EQ(pci_info(d, 0, NULL), LM_ERR_INVAL);
	EXPECT_EQ(pci_read(d, n, 0, 4, &v), LM_ERR_INVAL);
	EXPECT_EQ(pci_read(d, 0, 0, 3, &v), LM_ERR_INVAL);
	EXPECT_EQ(pci_read(d, 0, 0, 0, &v), LM_ERR_INVAL);
	EXPECT_EQ(pci_read(d, 0, 2, 4, &v), LM_ERR_RANGE);
	EXPECT_EQ(pci_read(d, 0, 1, 2, &v), LM_ERR_RANGE);
	EXPECT_EQ(pci_read(d, 0, f.config_size, 1, &v), LM_ERR_RANGE);
	EXPECT_EQ(pci_read(d, 0, (uint16_t)(f.config_size - 2), 4, &v), LM_ERR_RANGE);
	EXPECT_EQ(pci_read(d, 0, 0xffff, 1, &v), LM_ERR_RANGE);
	EXPECT_EQ(pci_read(d, 0, 0, 4, NULL), LM_ERR_INVAL);
	EXPECT_EQ(v, 0x5a5a); /* untouched by the refusals */
	EXPECT_EQ(pci_read(d, 0, (uint16_t)(f.config_size - 4), 4, &v), LM_OK);
	EXPECT_EQ(pci_write(d, n, 0, 4, 0), LM_ERR_INVAL);
	EXPECT_EQ(pci_write(d, 0, 0xfffe, 2, 0), LM_ERR_RANGE);
	EXPECT_EQ(pci_enable(d, n, 0), LM_ERR_INVAL);
	EXPECT_EQ(pci_enable(d, 0, 2), LM_ERR_INVAL);
	EXPECT_EQ(pci_describe_bar(d, 0, 6, &b), LM_ERR_INVAL);
	EXPECT_EQ(pci_describe_bar(d, n, 0, &b), LM_ERR_INVAL);
	EXPECT_EQ(pci_map_bar(d, n, 0, &va), LM_ERR_INVAL);
	EXPECT_EQ(pci_map_bar(d, 0, 6, &va), LM_ERR_INVAL);
	EXPECT_EQ(pci_map_bar(d, 0, 0, NULL), LM_ERR_INVAL);
	/* Out pointers to memory nothing maps: an error, not a fault. */
	EXPECT_EQ(pci_info(d, 0, (struct pci_function_info *)0xffffd0fff0000000ull), LM_ERR_INVAL);
	EXPECT_EQ(pci_read(d, 0, 0, 4, (uint32_t *)0x7ff000000000ull), LM_ERR_INVAL);
}
