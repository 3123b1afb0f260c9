/*
 * In-kernel tests: the TEST()s linked into the kernel (lib/test.h), run
 * when the `test=<glob>` boot option is given. Results go to the console as
 * KTAP; then QEMU exits with a pass or fail status. Each test runs in its
 * own thread, so that a test that faults fails alone and the run goes on.
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H

/* Start the runner thread if the test option is set; returns whether it was. */
int ktest_start(void);

#endif
