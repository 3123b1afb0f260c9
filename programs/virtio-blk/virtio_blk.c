/*
 * virtio-blk: the driver of the first virtio block device, publishing it as
 * the Block door (sdk/idl/block.idl; docs/drivers.md, "virtio-blk and the
 * Block door"). main sets the device up (vblk.c) and returns; the door's
 * routines run in their callers' threads, the completion thread in its own.
 *
 * This file owns the door: every argument a caller passes is checked here,
 * before the device sees a request. A buffer must lie inside the upper half
 * below the kernel image, where programs, their stacks and the direct map
 * (Memory door runs) are, and be mapped there (writable, if the door
 * writes it: lm_memory_check); else LM_ERR_FAULT.
 */
#include <stdio.h>

#include <lemmings/block.h>
#include <lemmings/systab.h>

#include "programs/virtio-blk/vblk.h"

#define UPPER_HALF 0xffff800000000000ull
#define KERNEL_IMAGE 0xffffffff80000000ull

static struct vblk dev;

static uint64_t capacity(void)
{
	return dev.capacity;
}

static uint32_t sector_size(void)
{
	return VBLK_SECTOR;
}

static bool buffer_ok(uintptr_t at, uint64_t bytes, bool write)
{
	return at >= UPPER_HALF && at < KERNEL_IMAGE && bytes <= KERNEL_IMAGE - at &&
	       lm_memory_check((const void *)at, bytes, write) == LM_OK;
}

static block_status info(struct block_geometry *out)
{
	if (!buffer_ok((uintptr_t)out, sizeof *out, true))
		return LM_ERR_FAULT;
	*out = (struct block_geometry){
		.capacity = dev.capacity,
		.sector_size = VBLK_SECTOR,
		.max_count = dev.max_count,
		.block_size = dev.block_size,
		.read_only = dev.read_only,
		.cache = dev.cache,
	};
	return LM_OK;
}

/* What every read and write is checked for, in this order. */
static enum lm_err check(uint64_t sector, uint32_t count, uintptr_t buffer, bool write)
{
	if (count == 0)
		return LM_ERR_INVAL;
	if (count > dev.max_count || sector >= dev.capacity || count > dev.capacity - sector)
		return LM_ERR_RANGE;
	if (!buffer_ok(buffer, (uint64_t)count * VBLK_SECTOR, write))
		return LM_ERR_FAULT;
	return LM_OK;
}

static block_status read(uint64_t sector, uint32_t count, uint8_t *buffer)
{
	enum lm_err err = check(sector, count, (uintptr_t)buffer, true);

	return err ? err : vblk_request(&dev, VBLK_T_IN, sector, count, buffer);
}

static block_status write(uint64_t sector, uint32_t count, const uint8_t *buffer)
{
	enum lm_err err = check(sector, count, (uintptr_t)buffer, false);

	if (!err && dev.read_only)
		err = LM_ERR_UNSUPPORTED;
	return err ? err : vblk_request(&dev, VBLK_T_OUT, sector, count, (void *)buffer);
}

/* Without VIRTIO_BLK_F_FLUSH the device writes through: nothing to do. */
static block_status flush(void)
{
	return dev.cache ? vblk_request(&dev, VBLK_T_FLUSH, 0, 0, NULL) : LM_OK;
}

static const struct block_door door = {
	.header = BLOCK_DOOR_HEADER,
	.capacity = capacity,
	.sector_size = sector_size,
	.info = info,
	.read = read,
	.write = write,
	.flush = flush,
};

int main(int argc, char **argv)
{
	enum lm_err err = vblk_start(&dev);

	if (err == LM_ERR_NOENT) {
		printf("virtio-blk: no virtio block device\n");
		return 0;
	}
	if (err)
		return 1; /* vblk_start said why */
	err = lm_door_register(&door.header);
	if (err) {
		printf("virtio-blk: cannot publish the Block door: %s\n", lm_err_str(err));
		return 1;
	}
	printf("virtio-blk: %llu sectors of 512 bytes%s%s, queue of %u, %u requests in flight at most, "
	       "Block door published\n",
	       (unsigned long long)dev.capacity, dev.read_only ? ", read-only" : "",
	       dev.cache ? ", write cache" : "", virtq_size(dev.q.vq), dev.nslots);
	return 0;
}
