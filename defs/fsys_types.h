/* The C types of fsys.defs (the Hurd's fsys 22000), for the stubs MIG generates from it.  */
#pragma once

#include <mach/port.h>
#include <stdint.h>

typedef uint32_t idarray_t[32];
typedef int retry_type;
typedef char string_t[1024];
typedef const char* const_string_t;
/* fsys_set_options and fsys_get_options: words each ending with a zero, at most this many bytes.  */
#define FSYS_OPTIONS_MAX 1024
typedef char fsys_options_t[FSYS_OPTIONS_MAX];

/* retry_type values: the Hurd's FS_RETRY_NORMAL (hurd_types.h).  */
#define FSYS_RETRY_NORMAL 1
