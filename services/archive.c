/*
 * The boot archive door (sdk/idl/boot_archive.idl) over core/archive.c.
 *
 * The archive is opened once, when the service is published, and never
 * changes afterwards, so every routine runs without a lock. A truncated or
 * corrupt archive is reported then, and the door serves what could be read.
 * Programs may also use services_archive() directly when they are the
 * system's own code (the loader reads programs through it).
 */
#include <lemmings/boot_archive.h>

#include "core/archive.h"
#include "services/archive.h"
#include "services/service.h"

static struct archive boot;

const struct archive *services_archive(void)
{
	return &boot;
}

static void fill(struct boot_archive_info *out, const struct archive_entry *e)
{
	out->node = e->id;
	out->parent = e->parent;
	out->mode = e->mode;
	out->name_len = (uint32_t)e->name_len;
	out->size = e->size;
	out->name = (const uint8_t *)e->name;
}

static boot_archive_node door_root(void)
{
	return archive_root(&boot);
}

static boot_archive_status door_lookup(const uint8_t *path, struct boot_archive_info *out)
{
	struct archive_entry e;
	enum lm_err err;

	if (!path || !out)
		return LM_ERR_INVAL;
	err = archive_lookup(&boot, (const char *)path, &e);
	if (!err)
		fill(out, &e);
	return err;
}

static boot_archive_status door_find(boot_archive_node dir, const uint8_t *name,
				     uint64_t len, struct boot_archive_info *out)
{
	struct archive_entry e;
	enum lm_err err;

	if (!name || !out)
		return LM_ERR_INVAL;
	err = archive_find(&boot, dir, (const char *)name, (size_t)len, &e);
	if (!err)
		fill(out, &e);
	return err;
}

static boot_archive_status door_next(boot_archive_node dir, uint64_t *cookie,
				     struct boot_archive_info *out)
{
	struct archive_entry e;
	enum lm_err err;

	if (!cookie || !out)
		return LM_ERR_INVAL;
	err = archive_next(&boot, dir, cookie, &e);
	if (!err)
		fill(out, &e);
	return err;
}

static boot_archive_status door_read(boot_archive_node node, uint64_t offset, uint8_t *buf,
				     uint64_t len, uint64_t *got)
{
	size_t n = 0;
	enum lm_err err;

	if ((!buf && len) || !got)
		return LM_ERR_INVAL;
	err = archive_read(&boot, node, offset, buf, (size_t)len, &n);
	*got = n;
	return err;
}

static boot_archive_status door_bytes(boot_archive_node node, const uint8_t **out,
				      uint64_t *size)
{
	struct archive_entry e;
	enum lm_err err;

	if (!out || !size)
		return LM_ERR_INVAL;
	err = archive_get(&boot, node, &e);
	if (err)
		return err;
	if ((e.mode & ARCHIVE_S_IFMT) == ARCHIVE_S_IFDIR)
		return LM_ERR_INVAL;
	*out = e.data;
	*size = e.size;
	return LM_OK;
}

static const struct boot_archive_door archive_door = {
	.header = BOOT_ARCHIVE_DOOR_HEADER,
	.root = door_root,
	.lookup = door_lookup,
	.find = door_find,
	.next = door_next,
	.read = door_read,
	.bytes = door_bytes,
};

static void warn(void *ctx, const char *message)
{
	service_log("%s\n", message); /* it names the archive itself */
}

void services_archive_publish(const void *data, size_t size)
{
	if (!data || !size) {
		service_log(data ? "archive: the one given is empty (0 bytes)\n"
				 : "archive: none was given to the system; the archive is empty\n");
		archive_open(&boot, NULL, 0, NULL, NULL);
	} else if (archive_open(&boot, data, size, warn, NULL) != LM_OK) {
		service_log("archive: %zu bytes that are not a cpio (newc) archive; "
			     "the archive is empty\n", size);
	} else {
		service_log("archive: %u entries in %zu bytes\n", boot.count, size);
	}
	service_register(&archive_door, "boot_archive");
}
