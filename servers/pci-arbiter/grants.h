// What the arbiter grants a link below it, and nothing more: one share per holder.
//   - The disk server's: the memory ranges, I/O ports and interrupt lines of the mass-storage
//     controllers it found, as "mem" and "irq".
//   - The acpi link's, when acpi sits between the arbiter and rumpdisk: the pages of the
//     firmware's tables and the FADT's ports (acpi/needs.h), as "mem" only. acpi holds this one on
//     its device master; the disk server's goes on the relay (chain/link.h), where acpi forwards
//     what rumpdisk asks. So acpi cannot map the disk controllers' registers and rumpdisk cannot
//     map the ACPI tables.
// A holder gets a share's "mem" and "irq" as the arbiter's own devices, whose requests are
// checked here before they reach the kernel's, and I/O permission for the granted ports
// (chain::IoGrants):
//
//   mem:  device_map of [offset, offset + size) inside a granted range (page-rounded);
//   irq:  device_intr_register of a granted line, device_intr_ack;
//   io:   i386_io_perm_create of ports inside a granted range.
// Everything else on these ports is D_INVALID_OPERATION; a range or line not granted is
// KERN_INVALID_CAPABILITY.
#pragma once

#include <stdint.h>

#include "acpi/needs.h"
#include "chain/device_ports.h"
#include "chain/link.h"
#include "pci/enumerate.h"
#include "runtime/rights.h"

namespace pci_arbiter {

// Whether the function is one the disk server below is given (mass storage).
bool is_granted(const pci::Function&);

class Grants final : public chain::DeviceProvider, public chain::DevicePorts, public chain::IoGrants {
public:
    static constexpr size_t max_ranges = 64;
    static constexpr size_t max_lines = 8;

    // The disk server's share: the resources of every granted function; serves "mem" and "irq".
    base::Result<void> grant(const pci::FunctionTable&, runtime::Server&);
    // The acpi link's share: the ranges of its tables and the FADT's ports; serves "mem" only.
    base::Result<void> grant_platform(const acpi::Needs&, runtime::Server&);
    // One line per granted function, for the console.
    size_t memory_range_count() const { return m_memory_count; }
    size_t io_range_count() const { return m_io_count; }
    size_t line_count() const { return m_line_count; }

    // chain::DeviceProvider: "mem", and "irq" for a share with interrupt lines.
    bool owns(base::StringView name) const override;
    base::Result<runtime::SendRight> open(base::StringView name, dev_mode_t mode) override;

    // chain::IoGrants
    bool allows(uint16_t from, uint16_t to) const override;

    // chain::DevicePorts
    bool owns(mach_port_t port) const override;
    kern_return_t close(mach_port_t port) override;
    kern_return_t read(mach_port_t, dev_mode_t, recnum_t, int, io_buf_ptr_t*, mach_msg_type_number_t*) override;
    kern_return_t read_inband(mach_port_t, dev_mode_t, recnum_t, int, char*, mach_msg_type_number_t*) override;
    kern_return_t write(mach_port_t, dev_mode_t, recnum_t, io_buf_ptr_t, mach_msg_type_number_t, int*) override;
    kern_return_t write_inband(mach_port_t, dev_mode_t, recnum_t, const char*, mach_msg_type_number_t, int*) override;
    kern_return_t get_status(mach_port_t, dev_flavor_t, dev_status_t, mach_msg_type_number_t*) override;
    kern_return_t set_status(mach_port_t, dev_flavor_t, const int*, mach_msg_type_number_t) override;
    kern_return_t map(mach_port_t, vm_prot_t, vm_offset_t, vm_size_t, mach_port_t* pager, int unmap) override;
    kern_return_t intr_register(mach_port_t, int line, int flags, mach_port_t receive_port) override;
    kern_return_t intr_ack(mach_port_t, mach_port_t receive_port) override;

private:
    struct Range {
        uint64_t first;
        uint64_t last; // inclusive
    };
    void add_memory(uint64_t base, uint64_t size);
    void add_io(uint64_t base, uint64_t size);
    void add_line(uint8_t line);
    // The kernel's device of that name, opened on the arbiter's own device master once.
    base::Result<mach_port_t> kernel_device(runtime::SendRight& cache, const char* name);

    Range m_memory[max_ranges];
    size_t m_memory_count = 0;
    Range m_io[max_ranges];
    size_t m_io_count = 0;
    uint8_t m_lines[max_lines] = {};
    size_t m_line_count = 0;
    runtime::ReceiveRight m_mem_port;
    runtime::ReceiveRight m_irq_port;
    runtime::SendRight m_kernel_mem;
    runtime::SendRight m_kernel_irq;
    // The pager of the last device_map: the reply copies it, and our reference goes at the next.
    runtime::SendRight m_last_pager;
};

} // namespace pci_arbiter
