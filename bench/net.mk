# The network race (make bench, after the thread benchmarks): bench/net
# serves the same files with Lemmings' httpd (in lemmings-hosted, one
# hart), nginx and Go's net/http, loads each with wrk and prints BENCH
# lines and one table (docs/performance.md, "Network"). It needs
# tools/netload (tools/netload/module.mk) and, where a Go toolchain is
# installed, the Go file server built here with bench/baseline.mk's GO_ENV
# (that fragment is included before this one).

BENCH_DEPS += $(BUILD)/tools/netload

ifneq ($(shell command -v go),)
GO_HTTPD := $(BUILD)/bench/go-httpd

$(GO_HTTPD): bench/baseline/go-httpd/main.go bench/baseline/go-httpd/go.mod
	@mkdir -p $(@D)
	$(call say,GO,$@)
	$(Q)cd bench/baseline/go-httpd && $(GO_ENV) go build -buildvcs=false -trimpath \
		-o $(abspath $@) .

BENCH_DEPS += $(GO_HTTPD)
endif

BENCHES += bench/net

# The same httpd on bare Lemmings under QEMU, through lwIP (programs/net)
# and a forwarded port: bench/net-kernel.
BENCHES += bench/net-kernel
