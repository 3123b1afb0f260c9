# programs/httpd: an HTTP/1.1 server, a thread per connection, serving files
# of the boot archive (docs/net.md). http.c is the portable request parser,
# unit-tested and fuzzed on the host.
PROGRAMS += httpd
httpd_SRCS := programs/httpd/httpd.c programs/httpd/http.c

HOST_TESTS += http_test
http_test_SRCS := programs/httpd/http.c programs/httpd/http_test.c lib/test.c lib/fmt.c lib/glob.c

FUZZERS += http_fuzz
http_fuzz_SRCS := programs/httpd/http.c programs/httpd/http_fuzz.c
http_fuzz_CORPUS := programs/httpd/fuzz-seeds/http

# Its files in the boot archive: /etc/programs.httpd and /www.
ARCHIVE_COMMANDS += programs/httpd/archive.sh
ARCHIVE_DEPS += programs/httpd/httpd.list programs/httpd/www/index.html
