// A size-class heap on vm_allocate for modules.
#include "runtime/heap.h"

#include "runtime/mach.h"

namespace runtime {

namespace {

// Every block starts with a header that records its class (or its size for large blocks),
// keeping the payload 16-byte aligned.
struct alignas(16) Header {
    size_t size_class; // index, or large_class for a block of its own
    size_t bytes; // for large blocks: the whole mapping
};

constexpr size_t min_shift = 5; // 32 bytes
constexpr size_t max_shift = 16; // 64 KiB
constexpr size_t class_count = max_shift - min_shift + 1;
constexpr size_t large_class = ~size_t(0);
constexpr size_t chunk_bytes = 256 * 1024;

struct FreeBlock {
    FreeBlock* next;
};

FreeBlock* g_free[class_count];
char* g_chunk_next;
char* g_chunk_end;
HeapStatistics g_stats;

void* kernel_allocate(size_t bytes)
{
    vm_address_t addr = 0;
    if (vm_allocate(mach_task_self(), &addr, bytes, TRUE) != KERN_SUCCESS)
        return nullptr;
    g_stats.bytes_from_kernel += bytes;
    return reinterpret_cast<void*>(addr);
}

} // namespace

void* heap_allocate(size_t size)
{
    size_t total = size + sizeof(Header);
    if (total > (size_t(1) << max_shift)) {
        size_t bytes = (total + 0xfff) & ~size_t(0xfff);
        auto* h = static_cast<Header*>(kernel_allocate(bytes));
        if (!h)
            return nullptr;
        h->size_class = large_class;
        h->bytes = bytes;
        g_stats.bytes_in_use += bytes;
        return h + 1;
    }
    size_t c = 0;
    while ((size_t(1) << (c + min_shift)) < total)
        ++c;
    size_t block = size_t(1) << (c + min_shift);
    Header* h;
    if (g_free[c]) {
        h = reinterpret_cast<Header*>(g_free[c]);
        g_free[c] = g_free[c]->next;
    } else {
        if (static_cast<size_t>(g_chunk_end - g_chunk_next) < block) {
            auto* chunk = static_cast<char*>(kernel_allocate(chunk_bytes));
            if (!chunk)
                return nullptr;
            // The rest of the old chunk is abandoned; it is less than one block of this class.
            g_chunk_next = chunk;
            g_chunk_end = chunk + chunk_bytes;
        }
        h = reinterpret_cast<Header*>(g_chunk_next);
        g_chunk_next += block;
    }
    h->size_class = c;
    h->bytes = block;
    g_stats.bytes_in_use += block;
    return h + 1;
}

void heap_free(void* p)
{
    if (!p)
        return;
    Header* h = static_cast<Header*>(p) - 1;
    g_stats.bytes_in_use -= h->bytes;
    if (h->size_class == large_class) {
        g_stats.bytes_from_kernel -= h->bytes;
        vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(h), h->bytes);
        return;
    }
    // The free-list link overwrites the header: read the class first.
    size_t c = h->size_class;
    auto* f = reinterpret_cast<FreeBlock*>(h);
    f->next = g_free[c];
    g_free[c] = f;
}

HeapStatistics heap_statistics()
{
    return g_stats;
}

} // namespace runtime
