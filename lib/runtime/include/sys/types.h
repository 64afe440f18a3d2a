/* The few POSIX types the kernel's headers expect, for freestanding modules. */
#pragma once
#include <stddef.h>
#include <stdint.h>
typedef long ssize_t;
typedef long off_t;
typedef unsigned int uid_t;
typedef unsigned int gid_t;
typedef int pid_t;
