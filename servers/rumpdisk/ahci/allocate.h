// Set-up allocations that may fail, checked where they happen. The heap's null is tested before
// the object is built: the runtime has no std::nothrow object, and the compiler assumes that a
// plain `new` never returns null.
#pragma once

#include <new>

#include "runtime/heap.h"

namespace rumpdisk::ahci {

template<typename T, typename... Args> T* create(Args&&... args)
{
    void* memory = mach::heap_allocate(sizeof(T));
    if (!memory)
        return nullptr;
    return new (memory) T(static_cast<Args&&>(args)...);
}

} // namespace rumpdisk::ahci
