// The registers of one IDE channel (ATA/ATAPI-6 §7: the command block and the control block)
// and of its bus-master DMA engine (SFF-8038i, the PIIX3's BMIBA), as base/register.h declares
// them: each block is a space of I/O ports from its own base port.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/register.h"

namespace rumpdisk::ide::layout {

struct CommandSpace { };
struct ControlSpace { };
struct BusMasterSpace { };
template<typename Self, size_t Offset> using CommandRegister = base::Register<CommandSpace, Self, Offset, 8>;
template<typename Self, size_t Offset> using BusMasterRegister = base::Register<BusMasterSpace, Self, Offset, 8>;

// ---- The command block: 8 ports from the channel's command base -----------------------------------

struct Data : base::Register<CommandSpace, Data, 0, 16> { }; // PIO data
struct Error : CommandRegister<Error, 1> { // read
    using Abort = Field<2, 1>;
};
struct Features : CommandRegister<Features, 1> { }; // write
// ATAPI: the interrupt reason when read during a PACKET command.
struct SectorCount : CommandRegister<SectorCount, 2> {
    using CommandOrData = Field<0, 1>; // CoD: the device wants the command packet
    using Input = Field<1, 1>; // IO: data flows to the host
};
struct LbaLow : CommandRegister<LbaLow, 3> { };
struct LbaMid : CommandRegister<LbaMid, 4> { }; // ATAPI: byte count, low byte
struct LbaHigh : CommandRegister<LbaHigh, 5> { }; // ATAPI: byte count, high byte
struct Device : CommandRegister<Device, 6> {
    using Slave = Field<4, 1>; // DEV
    // Bits 7 and 5 are obsolete; old devices expect them set.
    static constexpr uint8_t obsolete = 0xa0;
};
struct Status : CommandRegister<Status, 7> { }; // read: reading it clears the device's interrupt
struct Command : CommandRegister<Command, 7> { }; // write

// ---- The control block: one port ------------------------------------------------------------------

// Reading gives the status without clearing the device's interrupt.
struct AlternateStatus : base::Register<ControlSpace, AlternateStatus, 0, 8> {
    using Busy = Field<7, 1>;
};
struct DeviceControl : base::Register<ControlSpace, DeviceControl, 0, 8> { // write
    using InterruptsDisabled = Field<1, 1>; // nIEN
    using SoftwareReset = Field<2, 1>; // SRST
    using HighOrderByte = Field<7, 1>; // HOB: reads give the previous (48-bit) bytes
};

// ---- The bus-master block: 8 ports per channel from the channel's bus-master base ------------------

struct BusMasterCommand : BusMasterRegister<BusMasterCommand, 0> {
    using Start = Field<0, 1>;
    using ToMemory = Field<3, 1>; // the device's data goes to memory (a read); clear for writes
};
struct BusMasterStatus : BusMasterRegister<BusMasterStatus, 2> {
    using Active = Field<0, 1>;
    using Error = Field<1, 1>; // write 1 to clear
    using Interrupt = Field<2, 1>; // write 1 to clear: the device raised its interrupt
    using Drive0DmaCapable = Field<5, 1>;
    using Drive1DmaCapable = Field<6, 1>;
    using Simplex = Field<7, 1>;
};
// The 32-bit physical address of the PRD table.
struct PrdTable : base::Register<BusMasterSpace, PrdTable, 4, 32> { };

// IDENTIFY DEVICE words the IDE driver reads besides those lib/ata decodes.
namespace identify_words {
constexpr unsigned multiple = 47; // bits 7-0: the most sectors per block of READ/WRITE MULTIPLE
constexpr unsigned capabilities = 49; // bit 8: DMA supported
constexpr uint16_t dma_supported = 1u << 8;
} // namespace identify_words

} // namespace rumpdisk::ide::layout
