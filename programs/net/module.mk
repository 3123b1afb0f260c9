# programs/net: lwIP on the Ethernet door, publishing the Net door
# (docs/net.md, "On the kernel"). lwIP itself is Debian's source package,
# fetched by tools/deps into .deps-cache/lwip (kept by `make clean`) and
# unpacked here into $(BUILD)/lwip; none of its files is in the tree. The
# project's part: lwipopts.h, the port (arch/cc.h, arch/sys_arch.h,
# sys_arch.c) and the glue (the rest of this folder).
LWIP_CACHE := .deps-cache/lwip
LWIP_DIR := $(BUILD)/lwip
LWIP_STAMP := $(LWIP_DIR)/.unpacked

# Only what the options build: IPv4 with ARP, ICMP, DHCP, UDP, TCP, and
# the tcpip thread (timers). Not the netconn or socket layers.
LWIP_CORE := init def inet_chksum ip mem memp netif pbuf raw stats sys tcp tcp_in tcp_out \
	timeouts udp ipv4/dhcp ipv4/etharp ipv4/icmp ipv4/ip4 ipv4/ip4_addr ipv4/ip4_frag
LWIP_SRCS := $(patsubst %,core/%.c,$(LWIP_CORE)) netif/ethernet.c api/tcpip.c
LWIP_OBJS := $(patsubst %.c,$(BUILD)/prog/lwip/%.o,$(LWIP_SRCS))

# lwIP is built as it comes: its own warnings are not ours to fix.
LWIP_CFLAGS = $(filter-out -Werror -Wextra -MMD -MP,$(PCFLAGS)) -Wno-address \
	-Iprograms/net -I$(LWIP_DIR)/src/include

# The tarball is looked for by the shell, after tools/deps has run: make
# would expand a $(wildcard) in the recipe before its first line runs, and
# on a fresh clone find nothing.
$(LWIP_STAMP):
	@tools/deps --lwip
	@rm -rf $(LWIP_DIR) && mkdir -p $(LWIP_DIR)
	$(call say,UNPACK,$(LWIP_CACHE)/lwip_*.orig.tar.*)
	$(Q)set -- $(LWIP_CACHE)/lwip_*.orig.tar.*; [ -f "$$1" ] || \
		{ echo "lwIP: no source tarball in $(LWIP_CACHE) (tools/deps --lwip failed?)" >&2; exit 1; }; \
		tar -xf "$$1" -C $(LWIP_DIR) --strip-components=1
	@touch $@

$(LWIP_OBJS): $(BUILD)/prog/lwip/%.o: $(LWIP_STAMP) programs/net/lwipopts.h programs/net/arch/cc.h programs/net/arch/sys_arch.h
	@mkdir -p $(@D)
	$(call say,LWIPCC,$*.c)
	$(Q)$(PCC) $(LWIP_CFLAGS) -c $(LWIP_DIR)/src/$*.c -o $@

# The glue is ours, built with the program flags and lwIP's headers.
NET_SRCS := programs/net/net.c programs/net/netif.c programs/net/door.c programs/net/ping.c \
	programs/net/sys_arch.c programs/net/wait.c \
	programs/net/core.c programs/net/frame.c
$(patsubst %.c,$(BUILD)/prog/%.o,$(NET_SRCS)): PCFLAGS += -Iprograms/net -I$(LWIP_DIR)/src/include
$(patsubst %.c,$(BUILD)/prog/%.o,$(NET_SRCS)): $(LWIP_STAMP)

PROGRAMS += net
net_SRCS = $(NET_SRCS) $(VIRTIO_SRCS)
net_EXTRA_OBJS := $(LWIP_OBJS)

# The waiting and lwIP's operating system layer, tested in Lemmings threads
# of the hosted runtime (its Threads and Timer doors).
HOSTED_TESTS += net_sys_arch_test
NET_SYS_ARCH_TEST := programs/net/sys_arch_test.c programs/net/sys_arch.c programs/net/wait.c
net_sys_arch_test_SRCS := $(NET_SYS_ARCH_TEST) sdk/libc/lock.c sdk/libc/clock.c
$(patsubst %.c,$(BUILD)/hosted/%.o,$(NET_SYS_ARCH_TEST)): HOSTED_CFLAGS += -Iprograms/net \
	-I$(LWIP_DIR)/src/include
$(patsubst %.c,$(BUILD)/hosted/%.o,$(NET_SYS_ARCH_TEST)): $(LWIP_STAMP)

# The glue's own checks of received frames (frame.c: whether a frame goes
# to lwIP, whether a packet is the ping's echo reply), fuzzed on the host.
FUZZERS += frame_fuzz
frame_fuzz_SRCS := programs/net/frame.c programs/net/frame_fuzz.c
frame_fuzz_CORPUS := programs/net/fuzz-seeds/frame
HOST_TESTS += frame_test
frame_test_SRCS := programs/net/frame.c programs/net/frame_test.c lib/test.c lib/fmt.c lib/glob.c
E2E_TESTS += tests/frame-fuzz.t
CHECK_DEPS += $(BUILD)/fuzz/frame_fuzz
