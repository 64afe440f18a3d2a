// Checked heap allocation for the mount-time structures and the cache. A fresh nothrow_t tag
// rather than std::nothrow: the module runtime defines the nothrow operators but not the
// std::nothrow object itself.
#pragma once

#include <stddef.h>

#include <new>

namespace ext2 {

template<typename T> T* allocate_array(size_t n)
{
    return new (std::nothrow_t {}) T[n];
}

template<typename T, typename... Args> T* allocate_one(Args&&... args)
{
    return new (std::nothrow_t {}) T(static_cast<Args&&>(args)...);
}

} // namespace ext2
