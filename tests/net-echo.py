#!/usr/bin/env python3
# Servers on 127.0.0.1 for programs/nettest (tests/net-kernel-client.t,
# tests/net-hosted.t), each on a port the system picks. The first line of
# output names them: "ECHO UDP REFUSED FULL".
#   ECHO    TCP echo: sends back what comes, and closes when the client
#           has shut down its sending side;
#   UDP     UDP echo: each datagram back to its sender;
#   REFUSED a port that was bound and closed again: nobody listens there;
#   FULL    a listener with a backlog of 0 whose one queue place a
#           connection of this script holds, never accepted: Linux drops
#           every further SYN, so a connect to it can only time out.
# The script ends by itself after the seconds given (default 60).
import socket
import sys
import threading
import time

life = float(sys.argv[1]) if len(sys.argv) > 1 else 60


def echo_tcp(conn):
    with conn:
        conn.settimeout(life)
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    return
                conn.sendall(data)
        except OSError:  # a client that closed with bytes unread resets
            return


def serve_tcp(listener):
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=echo_tcp, args=(conn,), daemon=True).start()


def serve_udp(sock):
    while True:
        data, peer = sock.recvfrom(65536)
        sock.sendto(data, peer)


def bound(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    return s, s.getsockname()[1]


tcp, echo_port = bound(socket.SOCK_STREAM)
tcp.listen(64)
udp, udp_port = bound(socket.SOCK_DGRAM)
gone, refused_port = bound(socket.SOCK_STREAM)
gone.close()
full, full_port = bound(socket.SOCK_STREAM)
full.listen(0)
holder = socket.create_connection(("127.0.0.1", full_port))

threading.Thread(target=serve_tcp, args=(tcp,), daemon=True).start()
threading.Thread(target=serve_udp, args=(udp,), daemon=True).start()
print(echo_port, udp_port, refused_port, full_port, flush=True)
time.sleep(life)
