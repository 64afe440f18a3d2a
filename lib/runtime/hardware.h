// Memory a driver needs: device registers mapped from physical addresses (through the "mem"
// device of the device master, which inside the chain is forwarded to the kernel), and
// physically contiguous DMA memory below 4 GiB (vm_allocate_contiguous, which needs the
// privileged host port), and wired reply memory a device fills by DMA. All are released when
// their owner goes away.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

namespace runtime {

class MmioRegion {
public:
    MmioRegion() = default;
    // Maps [physical, physical + size) uncached; physical need not be page-aligned.
    static base::Result<MmioRegion> map(uint64_t physical, size_t size);
    MmioRegion(MmioRegion&& o) { *this = static_cast<MmioRegion&&>(o); }
    MmioRegion& operator=(MmioRegion&& o);
    MmioRegion(const MmioRegion&) = delete;
    MmioRegion& operator=(const MmioRegion&) = delete;
    ~MmioRegion();

    volatile uint32_t& reg32(size_t offset) const { return *reinterpret_cast<volatile uint32_t*>(m_base + offset); }
    // The registers from `offset` on, for a base::RegisterSpace.
    struct Access {
        uintptr_t base;
        template<typename Word> Word read(size_t offset) const
        {
            return *reinterpret_cast<volatile Word*>(base + offset);
        }
        template<typename Word> void write(size_t offset, Word value) const
        {
            *reinterpret_cast<volatile Word*>(base + offset) = value;
        }
    };
    Access access(size_t offset = 0) const { return Access { m_base + offset }; }
    volatile uint8_t* base() const { return reinterpret_cast<volatile uint8_t*>(m_base); }
    size_t size() const { return m_size; }

private:
    uintptr_t m_base = 0; // the register block's first byte
    uintptr_t m_mapping = 0; // the page-aligned mapping that holds it
    size_t m_mapping_size = 0;
    size_t m_size = 0;
};

class DmaBuffer {
public:
    DmaBuffer() = default;
    // size is rounded up to pages; the memory is zeroed, contiguous, and below 4 GiB.
    static base::Result<DmaBuffer> allocate(size_t size);
    DmaBuffer(DmaBuffer&& o) { *this = static_cast<DmaBuffer&&>(o); }
    DmaBuffer& operator=(DmaBuffer&& o);
    DmaBuffer(const DmaBuffer&) = delete;
    DmaBuffer& operator=(const DmaBuffer&) = delete;
    ~DmaBuffer();

    void* data() const { return reinterpret_cast<void*>(m_virtual); }
    uint64_t physical() const { return m_physical; }
    size_t size() const { return m_size; }

private:
    uintptr_t m_virtual = 0;
    uint64_t m_physical = 0;
    size_t m_size = 0;
};

// A physically contiguous piece of some memory, in the memory's order.
struct PhysicalRun {
    uint64_t physical;
    size_t bytes;
};

// Memory for a reply that a device fills by DMA: page-rounded, wired, its physical runs known,
// sent with dealloc. The kernel then moves its pages to the receiver rather than copying them:
// vm_map_copyin takes the object of a temporary entry whole when the source is destroyed, wired
// or not, and destroying the wired entry unwires it (GNU Mach vm/vm_map.c). Nothing here zeroes
// the memory: contiguous pages come from the kernel as they were, so the device must fill every
// byte that is sent and the owner zero the rest.
class DmaReply {
public:
    // Contiguous: one run (vm_allocate_contiguous, one kernel call); Scattered: pages wired where
    // the kernel put them (vm_allocate, vm_wire, vm_pages_phys), at most max_scattered_bytes.
    // Either: contiguous first.
    enum class Placement : uint8_t { Either, Contiguous, Scattered };
    static constexpr size_t max_runs = 256;
    static constexpr size_t max_scattered_bytes = max_runs * 0x1000;

    DmaReply() = default;
    // Memory for `bytes` (rounded up to pages) whose every page lies below `physical_limit`.
    static base::Result<DmaReply> allocate(size_t bytes, uint64_t physical_limit, Placement);
    DmaReply(DmaReply&& o) { *this = static_cast<DmaReply&&>(o); }
    DmaReply& operator=(DmaReply&& o);
    DmaReply(const DmaReply&) = delete;
    DmaReply& operator=(const DmaReply&) = delete;
    ~DmaReply();

    uint8_t* data() const { return reinterpret_cast<uint8_t*>(m_address); }
    size_t size() const { return m_size; }
    const PhysicalRun* runs() const { return m_runs; }
    size_t run_count() const { return m_run_count; }
    // Hands the memory over (to a reply sent with dealloc); this object no longer frees it.
    void* release();

private:
    base::Result<void> allocate_contiguous(uint64_t physical_limit);
    base::Result<void> allocate_scattered(uint64_t physical_limit);

    uintptr_t m_address = 0;
    size_t m_size = 0;
    PhysicalRun m_runs[max_runs];
    size_t m_run_count = 0;
};

// A deadline for a bounded wait: `while (!done) { if (deadline.passed()) return timeout; ... }`.
class Deadline {
public:
    explicit Deadline(uint64_t milliseconds);
    bool passed() const;

private:
    uint64_t m_end_ns;
};

// The bound of a register poll (base::RegisterSpace::wait_for): `milliseconds` at most, sleeping a
// millisecond between reads. For set-up and recovery, where waits are in milliseconds. Each pause
// lasts at least a millisecond, so counting them bounds the wait even should the clock not run.
class PollBound {
public:
    explicit PollBound(uint64_t milliseconds)
        : m_deadline(milliseconds)
        , m_pauses_left(milliseconds)
    {
    }
    bool expired() const { return m_pauses_left == 0 || m_deadline.passed(); }
    void pause();

private:
    Deadline m_deadline;
    uint64_t m_pauses_left;
};

} // namespace runtime
