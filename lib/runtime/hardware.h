// Memory a driver needs: device registers mapped from physical addresses (through the "mem"
// device of the device master, which inside the chain is forwarded to the kernel), and
// physically contiguous DMA memory below 4 GiB (vm_allocate_contiguous, which needs the
// privileged host port). Both are released when their owner goes away.
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
