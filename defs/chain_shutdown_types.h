/* C types of chain_shutdown.defs. */
#pragma once

typedef char shutdown_name_t[64]; /* a server's name: at most 63 bytes and a zero */
typedef const char* const_shutdown_name_t;
