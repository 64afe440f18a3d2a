// The module heap: memory from vm_allocate, in size classes of powers of two up to 64 KiB
// with free lists; larger blocks are their own vm_allocate. Used for set-up and for caches
// with a stated budget, not on request paths that a client could make grow.
#pragma once

#include <stddef.h>

namespace runtime {

void* heap_allocate(size_t size);
void heap_free(void* p);

struct HeapStatistics {
    size_t bytes_from_kernel;
    size_t bytes_in_use;
};
HeapStatistics heap_statistics();

} // namespace runtime
