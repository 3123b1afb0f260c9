// Command go-bench is the Go baseline for make bench: the workloads of the
// hosted Lemmings benchmarks (core/sched_bench.c) done with goroutines and
// channels, so that bench/report can print them side by side. It prints one
// line per figure:
//
//	BENCH go.<name> <value> <unit>
//
// Timing figures are the median of reps runs of a loop, in nanoseconds per
// operation. The one-hart figures run with GOMAXPROCS=1 (one OS thread at
// a time runs Go code, as one Lemmings hart); the _2procs figure with
// GOMAXPROCS=2. Nothing is pinned: the Go scheduler, and Linux for the
// runtime's threads, decide where goroutines run (pinning every thread of
// the process to one CPU was tried and made no difference on this machine).
// Memory figures are taken around parkedGoroutines goroutines blocked on a
// channel: the growth of runtime.MemStats Sys (all memory the runtime holds
// from the OS) and StackInuse, and of what Linux counts: the resident size
// (/proc/self/statm) and the page tables (VmPTE of /proc/self/status).
//
// A figure that cannot be measured (an unreadable /proc) prints a message
// on stderr and no BENCH line; the others still run and the exit status
// is 1. Standard library only: it builds without network access.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

const (
	reps             = 7
	spawnRounds      = 100000
	spawnBatch       = 1000 // goroutines started before waiting for them
	pingPongRounds   = 100000
	parkedGoroutines = 100000
)

var failed bool

func median(runs []time.Duration) time.Duration {
	sorted := append([]time.Duration(nil), runs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return sorted[len(sorted)/2]
}

// reportNs prints the nanoseconds per operation of the median run, with
// one decimal as the hosted benchmarks print them.
func reportNs(name string, runs []time.Duration, ops int) {
	fmt.Printf("BENCH go.%s %.1f ns\n", name, float64(median(runs).Nanoseconds())/float64(ops))
}

func reportBytes(name string, total int64, count int) {
	fmt.Printf("BENCH go.%s %d bytes\n", name, total/int64(count))
}

func done(wg *sync.WaitGroup) {
	wg.Done()
}

// benchSpawnExit times `go done(&wg)` in batches: each goroutine runs,
// signals the WaitGroup and ends; one batch is waited for before the next.
func benchSpawnExit() {
	var wg sync.WaitGroup
	runs := make([]time.Duration, reps)

	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	for rep := range runs {
		t0 := time.Now()
		for i := 0; i < spawnRounds; i += spawnBatch {
			wg.Add(spawnBatch)
			for j := 0; j < spawnBatch; j++ {
				go done(&wg)
			}
			wg.Wait()
		}
		runs[rep] = time.Since(t0)
	}
	reportNs("spawn_exit", runs, spawnRounds)
}

func echo(ping <-chan int, pong chan<- int) {
	for v := range ping {
		pong <- v
	}
}

// benchChannel times round trips through two unbuffered channels: main
// sends on ping, a partner goroutine receives it and sends it back on pong.
func benchChannel(name string, procs int) {
	ping, pong := make(chan int), make(chan int)
	runs := make([]time.Duration, reps)

	prev := runtime.GOMAXPROCS(procs)
	defer runtime.GOMAXPROCS(prev)
	go echo(ping, pong)
	for rep := range runs {
		t0 := time.Now()
		for i := 0; i < pingPongRounds; i++ {
			ping <- i
			<-pong
		}
		runs[rep] = time.Since(t0)
	}
	close(ping)
	reportNs(name, runs, pingPongRounds)
}

// residentBytes reads the resident size of this process from
// /proc/self/statm (its second field, in pages).
func residentBytes() (int64, error) {
	var size, resident int64

	f, err := os.Open("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := fmt.Fscan(f, &size, &resident); err != nil {
		return 0, fmt.Errorf("/proc/self/statm: expected two numbers at the start: %v", err)
	}
	return resident * int64(os.Getpagesize()), nil
}

// pageTableBytes reads VmPTE, the size of this process's page tables, from
// /proc/self/status.
func pageTableBytes() (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmPTE:") {
			var kb int64
			if _, err := fmt.Sscanf(line[len("VmPTE:"):], "%d kB", &kb); err != nil {
				return 0, fmt.Errorf("/proc/self/status: VmPTE: %v", err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/self/status: no VmPTE line")
}

// footprint is what Linux counts for this process: resident set and page
// tables, in bytes.
type footprint struct {
	rss, pte int64
}

func readFootprint() (fp footprint, err error) {
	if fp.rss, err = residentBytes(); err == nil {
		fp.pte, err = pageTableBytes()
	}
	return fp, err
}

func parked(started *sync.WaitGroup, release <-chan struct{}) {
	started.Done()
	<-release
}

// benchParked starts parkedGoroutines goroutines that block on one channel
// and reports what they cost per goroutine.
func benchParked() {
	var before, after runtime.MemStats
	var started sync.WaitGroup
	release := make(chan struct{})

	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	runtime.GC()
	runtime.ReadMemStats(&before)
	fp0, fpErr := readFootprint()
	started.Add(parkedGoroutines)
	for i := 0; i < parkedGoroutines; i++ {
		go parked(&started, release)
	}
	started.Wait()
	runtime.Gosched() // the last one started reaches its receive too
	runtime.ReadMemStats(&after)
	fp1, err := readFootprint()
	if fpErr == nil {
		fpErr = err
	}
	close(release)

	reportBytes("bytes_per_goroutine", int64(after.Sys-before.Sys), parkedGoroutines)
	reportBytes("bytes_per_goroutine.stack_inuse",
		int64(after.StackInuse-before.StackInuse), parkedGoroutines)
	if fpErr != nil {
		fmt.Fprintf(os.Stderr, "go-bench: bytes_per_goroutine: %v\n", fpErr)
		failed = true
		return
	}
	reportBytes("bytes_per_goroutine.rss", fp1.rss-fp0.rss, parkedGoroutines)
	reportBytes("bytes_per_goroutine.page_tables", fp1.pte-fp0.pte, parkedGoroutines)
}

func main() {
	// Memory first, while no earlier benchmark has left dead goroutines
	// in the runtime's free list for the new ones to reuse.
	benchParked()
	benchSpawnExit()
	benchChannel("channel_ping_pong", 1)
	if runtime.NumCPU() >= 2 {
		benchChannel("channel_ping_pong_2procs", 2)
	} else {
		fmt.Println("# go: one CPU available, channel_ping_pong_2procs is skipped")
	}
	if failed {
		os.Exit(1)
	}
}
