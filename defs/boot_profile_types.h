/* One link's entry of the boot profile, as boot_profile.defs carries it (12 words). */
#pragma once
#include <stdint.h>

typedef struct boot_profile_entry {
    char name[32]; /* the link's name, NUL-terminated */
    uint32_t started_ms; /* since the kernel started */
    uint32_t ready_ms; /* 0 until it serves */
    uint32_t resident_kib; /* resident memory when asked */
    uint32_t restarts; /* times the link above restarted this link */
} boot_profile_entry_t;

typedef boot_profile_entry_t* boot_profile_t;
