# tools/netload/: an epoll HTTP/1.1 load client (keep-alive GETs on N
# connections, every answer checked; or N idle connections held open), used
# by bench/net to check a server before racing it and to measure memory per
# idle connection. Built like the other host tools: build/tools/netload.

TOOLS += netload
netload_SRCS := tools/netload/netload.c
