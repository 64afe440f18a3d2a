// One port of an AHCI HBA: its command list, received-FIS area and command table in physically
// contiguous memory, a physically contiguous bounce buffer for the data, and the running of one
// command at a time in slot 0 (no NCQ), with error recovery.
//
// A command is polled for a short bounded while once issued, with the port's interrupts masked
// (PxIE clear), and its interrupt is unmasked and waited for only when it outlasts that: under
// QEMU most commands end within the poll, and the interrupt's round trip through the kernel and
// the arbiter costs more than the poll.
//
// Data goes through the bounce buffer, or, for reads into a reply's wired memory, straight to
// that memory's pages (Command::segments): then the reply needs neither zero-filled pages nor a
// copy.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ahci/controller.h"
#include "ata/ahci_command.h"
#include "base/result.h"
#include "runtime/hardware.h"

namespace rumpdisk::ahci {

// The command encoders are lib/ata's (host-tested there); the driver uses their names as its own.
using namespace ::ata::ahci;

enum class PortKind { Ata, Atapi };

// The most physical segments one command's data may be given in.
constexpr size_t max_segments = 260;

struct Command {
    TaskFile task;
    DataDirection direction = DataDirection::None;
    size_t bytes = 0; // moved through the port's buffer, or through `segments` when given
    // Memory the data moves to or from instead of the port's buffer: `segment_count` physically
    // contiguous pieces, in order, `bytes` in all.
    const Segment* segments = nullptr;
    size_t segment_count = 0;
    const uint8_t* packet = nullptr; // the ATAPI command packet (table::atapi_packet_bytes), or none
    unsigned timeout_ms = 10000;
};

// What the device said about the last command that failed, for diagnostics and for ATAPI's
// sense key (PACKET puts it in the error register's high nibble).
struct Failure {
    bool timed_out = false;
    uint32_t interrupt_status = 0; // PxIS
    uint8_t status = 0; // PxTFD status
    uint8_t error = 0; // PxTFD error
};

class Port {
public:
    Port(Controller& controller, unsigned index)
        : m_controller(controller)
        , m_index(index)
    {
    }

    unsigned index() const { return m_index; }
    Controller& controller() const { return m_controller; }

    // Stops the port's engines, gives it the command list and FIS area and starts FIS receive.
    base::Result<void> attach();
    // Whether a device is attached to port `index` with its link up (PxSSTS.DET = 3), waiting a
    // little for a link that is still coming up. Needs no memory of the port's.
    static bool link_up(const Controller&, unsigned index);
    // Waits for the device to leave BSY and DRQ (after reset, its first D2H FIS).
    base::Result<void> wait_ready() const;
    // The signature of the device's first D2H FIS, valid once it is ready.
    uint32_t signature() const { return registers().read<reg::port::Sig>().word(); }
    // Waits for the device to be ready and starts the command engine.
    base::Result<void> start(PortKind);
    // Allocates the bounce buffer: as large as the kernel gives contiguously, `preferred` at most.
    base::Result<void> allocate_buffer(size_t preferred);
    uint8_t* buffer() const { return static_cast<uint8_t*>(m_data.data()); }
    size_t buffer_size() const { return m_data.size(); }

    // Runs one command and returns the bytes the HBA moved (PRDBC). D_IO_ERROR when the device
    // reports an error or does not complete in time; the port is then recovered, so that the
    // next command works, and last_failure() tells what happened.
    base::Result<size_t> execute(const Command&);
    const Failure& last_failure() const { return m_failure; }

private:
    // Polls PxCI for a bounded while after the command is issued; whether it ended meanwhile.
    bool spin(PortRegisters) const;
    // Returns the port's interrupt status and clears it.
    static uint32_t collect_port(PortRegisters);
    // For a command the spin did not see end: unmasks the port's interrupts, waits for the
    // command's end, an error or `timeout_ms`, and masks them again. Returns the interrupt status
    // collected; `done` when the command ended without error.
    uint32_t wait_for_interrupt(PortRegisters, unsigned timeout_ms, bool& done);
    enum class Recovery { Restart, ResetLink };
    base::Result<void> stop();
    base::Result<void> recover(Recovery);
    base::Result<void> reset_link();
    PortRegisters registers() const { return m_controller.port_registers(m_index); }

    Controller& m_controller;
    unsigned m_index;
    PortKind m_kind = PortKind::Ata;
    runtime::DmaBuffer m_memory; // command list, received FIS, command table
    runtime::DmaBuffer m_data;
    bool m_broken = false; // the last recovery failed; the next command tries again
    Failure m_failure;
};

} // namespace rumpdisk::ahci
