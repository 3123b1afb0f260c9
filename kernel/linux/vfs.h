/*
 * What the personality's file systems share (kernel/linux/vfs.c): their
 * device numbers and the writing of directory records.
 */
#ifndef KERNEL_LINUX_VFS_H
#define KERNEL_LINUX_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* st_dev of each file system. */
#define LINUX_DEV_ARCHIVE 1
#define LINUX_DEV_TMP 2
#define LINUX_DEV_DEV 3

/*
 * Append one struct linux_dirent64 record (inode ino, d_off next, type,
 * the name of nlen bytes) to buf (len bytes, *used of them used); false,
 * with nothing written, if it does not fit.
 */
bool linux_dirent_put(void *buf, uint64_t len, uint64_t *used, uint64_t ino, uint64_t next,
		      uint8_t type, const char *name, size_t nlen);

/* st_blocks for size bytes: 512-byte units of whole 4 KiB blocks. */
int64_t linux_blocks(uint64_t size);

#endif
