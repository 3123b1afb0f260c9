/*
 * The string and memory functions of the C library. The hosted build uses
 * the system's; the kernel and programs get lib/string.c, declared once, in
 * the SDK's header (programs include it as <string.h>; the kernel, built
 * without the SDK's libc on its include path, by its place in the tree).
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#ifdef LM_HOSTED
#include <string.h>
#else
#include "sdk/libc/include/string.h"
#endif

#endif
