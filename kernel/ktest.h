/*
 * In-kernel tests: the TEST()s linked into the kernel (lib/test.h), run
 * when the `test=<glob>` boot option is given. Results go to the console as
 * KTAP; then QEMU exits with a pass or fail status. Each test runs in its
 * own thread, so that a test that faults fails alone and the run goes on.
 * With `bench=<glob>` the same run comes first and the boot then goes on
 * (the shell, init and its programs), for benchmarks of programs that
 * want the kernel's own figures from the same boot.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

/*
 * Start the runner thread if the test or bench option is set; returns
 * whether it was. With bench= (and no test=) the runner calls `then` from
 * its own thread once the selection has run, instead of exiting QEMU; the
 * caller calls it itself when this returns 0.
 */
int ktest_start(void (*then)(void));

#endif
