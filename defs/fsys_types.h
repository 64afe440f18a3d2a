/* The C types of fsys.defs (the Hurd's fsys 22000), for the stubs MIG generates from it.  */
#pragma once

#include <mach/port.h>
#include <stdint.h>

typedef uint32_t idarray_t[32];
typedef int retry_type;
typedef char string_t[1024];
typedef const char* const_string_t;

/* retry_type values: the Hurd's FS_RETRY_NORMAL (hurd_types.h).  */
#define FSYS_RETRY_NORMAL 1
