/*
 * lwIP's options for the net program (docs/net.md, "On the kernel", lists
 * them and their limits). lwIP runs with threads (NO_SYS=0) and one core
 * lock: its own thread (timers, DHCP), the receiving thread and the Net
 * door's callers each take the lock to run lwIP, so nothing goes through
 * lwIP's mailbox but timeouts. Only the raw API is built: the Net door is
 * the socket layer.
 */
#ifndef LEMMINGS_LWIPOPTS_H
#define LEMMINGS_LWIPOPTS_H

#define NO_SYS 0
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 1
#define SYS_LIGHTWEIGHT_PROT 1
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_NETIF_API 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DNS 0
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 0
/* Statistics of lwIP's heap and pools only (the Ping door's memory
 * routines read them: what a vanished client would leave allocated). */
#define LWIP_STATS 1
#define LWIP_STATS_DISPLAY 0
#define MEM_STATS 1
#define MEMP_STATS 1
#define LINK_STATS 0
#define ETHARP_STATS 0
#define IP_STATS 0
#define IPFRAG_STATS 0
#define ICMP_STATS 0
#define UDP_STATS 0
#define TCP_STATS 0
#define SYS_STATS 0
#define LWIP_CHECKSUM_ON_COPY 1

/* lwIP's heap and pools are static arrays of the program (its .bss). */
#define MEM_ALIGNMENT 8
#define MEM_SIZE (8 * 1024 * 1024)
#define MEMP_NUM_PBUF 1024
#define MEMP_NUM_RAW_PCB 4
#define MEMP_NUM_UDP_PCB 64
#define MEMP_NUM_TCP_PCB 1024
#define MEMP_NUM_TCP_PCB_LISTEN 64
#define MEMP_NUM_TCP_SEG 8192
#define MEMP_NUM_REASSDATA 8
#define IP_REASS_MAX_PBUFS 64
#define MEMP_NUM_ARP_QUEUE 64
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 4)
#define PBUF_POOL_SIZE 2048
#define PBUF_POOL_BUFSIZE 1536

/* TCP: a full window of 44 segments each way per connection; the window
 * opens only as the Net door's recv takes the bytes (backpressure). */
#define TCP_MSS 1460
#define TCP_WND (44 * TCP_MSS)
#define TCP_SND_BUF (44 * TCP_MSS)
#define TCP_SND_QUEUELEN (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_SNDLOWAT (TCP_SND_BUF / 2)
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 255
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_TIMESTAMPS 0
#define TCP_QUEUE_OOSEQ 1
#define LWIP_WND_SCALE 0

#define TCPIP_THREAD_NAME "lwip tcpip"
#define TCPIP_THREAD_STACKSIZE (32 * 1024)
#define TCPIP_THREAD_PRIO 2
#define TCPIP_MBOX_SIZE 128
#define DEFAULT_RAW_RECVMBOX_SIZE 16
#define DEFAULT_UDP_RECVMBOX_SIZE 16
#define DEFAULT_TCP_RECVMBOX_SIZE 16
#define DEFAULT_ACCEPTMBOX_SIZE 16

#define LWIP_DEBUG 0
#define LWIP_NOASSERT_ON_ERROR 1

#endif
