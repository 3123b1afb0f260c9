/*
 * virtio_pci: the virtio 1.x ("modern") PCI transport, driver side
 * (docs/drivers.md, "virtio"). Portable: it reaches the function through
 * four callbacks (configuration reads, BAR sizes, BAR reads and writes),
 * which a program implements with the Pci door (virtio_pci_door.h) and the
 * host test with a device in memory.
 *
 * Owns: where the device's structures are (the vendor capabilities
 * common_cfg, notify_cfg, isr_cfg and device_cfg), the negotiated
 * features, and the status handshake. It does not own the queues (each a
 * struct virtq, sdk/virtio/virtq.h) nor interrupts: a queue is told which
 * MSI-X table entry to use (virtio_pci_queue_setup's msix_vector), and
 * binding that entry to a thread is the Irq door's business.
 *
 * Trusts nothing the function reports: a capability whose region lies
 * outside its BAR (or in a BAR that is not memory) is skipped as the
 * specification says of unknown ones; a looping capability list ends
 * the walk; a queue size that is not a power of two is rounded down; a
 * notification address outside the notify region, an MSI-X entry the
 * device refuses, a reset that never completes, each gets an error.
 *
 * Locking: none. The setup calls (init to ready) are made by one thread;
 * afterwards virtio_pci_notify may be called from any thread (it is one
 * register write), the rest by one thread at a time.
 */
#ifndef SDK_VIRTIO_VIRTIO_PCI_H
#define SDK_VIRTIO_VIRTIO_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include <lemmings/err.h>

#include "sdk/virtio/virtq.h"

/* Device status bits (specification 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* Feature bits every driver may ask for (device-specific ones are 0-23). */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_RING_EVENT_IDX (1ull << 29)
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* "No MSI-X entry": the queue or configuration change raises none. */
#define VIRTIO_MSIX_NONE 0xffff

/* How many status reads a reset may take before LM_ERR_TIMEOUT. */
#define VIRTIO_PCI_RESET_POLLS 1000000

/* The function, as the transport reaches it. Widths are 1, 2 or 4 bytes;
 * offsets are aligned to the width. */
struct virtio_pci_ops {
	enum lm_err (*config_read)(void *ctx, uint16_t offset, unsigned width, uint32_t *value);
	/* The size of memory BAR bar (0-5); 0 if it is not a memory BAR. */
	uint64_t (*bar_size)(void *ctx, unsigned bar);
	uint32_t (*bar_read)(void *ctx, unsigned bar, uint64_t offset, unsigned width);
	void (*bar_write)(void *ctx, unsigned bar, uint64_t offset, unsigned width, uint32_t value);
	void *ctx;
};

/* One of the device's structures: a range of a memory BAR. */
struct virtio_pci_region {
	bool present;
	uint8_t bar;
	uint32_t offset, length;
};

struct virtio_pci {
	struct virtio_pci_ops ops;
	struct virtio_pci_region common, notify, isr, device;
	uint32_t notify_multiplier;
	uint16_t num_queues;
	uint64_t features; /* negotiated, after virtio_pci_negotiate */
};

/* A queue the device knows: the ring, its number, its doorbell. */
struct virtio_pci_queue {
	struct virtq *vq;
	uint16_t index;
	uint64_t notify_offset; /* in the notify region's BAR */
};

/* Find the device's structures through its capability list. LM_ERR_UNSUPPORTED
 * when common, notify or ISR configuration is missing (a legacy-only
 * device, or every candidate was out of bounds); a configuration read's
 * own error otherwise. */
enum lm_err virtio_pci_init(struct virtio_pci *d, const struct virtio_pci_ops *ops);

/* Write 0 to the status and wait until the device reads back 0. */
enum lm_err virtio_pci_reset(struct virtio_pci *d);

/* Reset, ACKNOWLEDGE, DRIVER, then offer (wanted & what the device offers)
 * plus VIRTIO_F_VERSION_1 and set FEATURES_OK. LM_ERR_UNSUPPORTED (and
 * status FAILED) if the device lacks VERSION_1 or refuses the subset. */
enum lm_err virtio_pci_negotiate(struct virtio_pci *d, uint64_t wanted);

/* Set queue index up with at most max_size entries (the device may offer
 * fewer), ring memory from dma, MSI-X entry msix_vector (or
 * VIRTIO_MSIX_NONE), and enable it. LM_ERR_RANGE: no such queue;
 * LM_ERR_NOENT: the device offers it with size 0; LM_ERR_BUSY: already
 * enabled; LM_ERR_FULL: the device refused the MSI-X entry; LM_ERR_FORMAT:
 * its doorbell would lie outside the notify region; virtq_create's errors. */
enum lm_err virtio_pci_queue_setup(struct virtio_pci *d, uint16_t index, uint16_t max_size,
				   uint16_t msix_vector, const struct virtio_dma_ops *dma,
				   struct virtio_pci_queue *out);

/* Ring the queue's doorbell. */
void virtio_pci_notify(struct virtio_pci *d, const struct virtio_pci_queue *q);
/* Publish what was added to q and ring the doorbell if the device asked. */
void virtio_pci_kick(struct virtio_pci *d, const struct virtio_pci_queue *q);

/* The MSI-X entry for configuration changes. LM_ERR_FULL if refused. */
enum lm_err virtio_pci_config_vector(struct virtio_pci *d, uint16_t msix_vector);

/* Read the device-specific configuration: width 1, 2, 4 or 8 bytes at an
 * offset aligned to min(width, 4), all read under one configuration
 * generation. LM_ERR_RANGE outside the region (or none), LM_ERR_INVAL for a
 * bad width or alignment, LM_ERR_BUSY if the generation never settles. */
enum lm_err virtio_pci_device_read(struct virtio_pci *d, uint32_t offset, unsigned width,
				   uint64_t *value);

/* DRIVER_OK: the device may now use its queues. */
void virtio_pci_ready(struct virtio_pci *d);
/* FAILED: the driver gives up on the device. */
void virtio_pci_fail(struct virtio_pci *d);
uint8_t virtio_pci_status(struct virtio_pci *d);
/* The ISR status byte (reading clears it): bit 0 a queue, bit 1 the
 * configuration changed. For interrupts without MSI-X. */
uint8_t virtio_pci_isr(struct virtio_pci *d);

#endif
