# Baselines for make bench: the hosted Lemmings workloads done with POSIX
# threads (bench/baseline/pthread_bench.c) and with goroutines
# (bench/baseline/go/, built only where a Go toolchain is installed), and
# bench/report, which runs them with the hosted benchmark and prints the
# table of all three side by side (docs/performance.md).

PTHREAD_BENCH := $(BUILD)/bench/pthread-bench
BENCH_DEPS += $(PTHREAD_BENCH)

# Native and optimized like the hosted benchmark; no sanitizers, which
# would slow the baseline down.
$(PTHREAD_BENCH): bench/baseline/pthread_bench.c
	@mkdir -p $(@D)
	$(call say,BENCHCC,$<)
	$(Q)gcc -std=gnu17 -O2 -g -Wall -Wextra -Werror -Wshadow -pthread $< -o $@

ifneq ($(shell command -v go),)
GO_BENCH := $(BUILD)/bench/go-bench

# Everything the go command writes stays under build/: it needs neither
# HOME nor the network (standard library only, GOPROXY=off), and does not
# ask git about the tree (-buildvcs=false).
GO_ENV := env -u GOROOT GOPATH=$(abspath $(BUILD))/go-path \
	GOCACHE=$(abspath $(BUILD))/go-cache GOMODCACHE=$(abspath $(BUILD))/go-path/pkg/mod \
	GOENV=off GOFLAGS=-mod=mod GO111MODULE=on GOPROXY=off GOSUMDB=off \
	GOTOOLCHAIN=local CGO_ENABLED=0

$(GO_BENCH): bench/baseline/go/main.go bench/baseline/go/go.mod
	@mkdir -p $(@D)
	$(call say,GO,$@)
	$(Q)cd bench/baseline/go && $(GO_ENV) go build -buildvcs=false -trimpath \
		-o $(abspath $@) .

BENCH_DEPS += $(GO_BENCH)
endif

BENCHES += bench/report
