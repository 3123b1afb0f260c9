/* Deliberate crashes on request (boot option crash=...), for tests. */
#ifndef KERNEL_CRASH_H
#define KERNEL_CRASH_H

void crash_on_request(void);

#endif
