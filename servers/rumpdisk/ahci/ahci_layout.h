// The AHCI HBA's registers (AHCI 1.3 §3): the generic host control block at the start of ABAR
// (BAR5), then one block of 0x80 bytes per port from 0x100. Declarations only (base/register.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/register.h"

namespace rumpdisk::ahci::reg {

// The generic host control block, and the block of one port (offsets from port_base(n)).
struct HbaSpace { };
struct PortSpace { };
template<typename Self, size_t Offset> using HbaRegister = base::Register<HbaSpace, Self, Offset, 32>;
template<typename Self, size_t Offset> using PortRegister = base::Register<PortSpace, Self, Offset, 32>;

// ---- Generic host control ------------------------------------------------------------------------

struct Cap : HbaRegister<Cap, 0x00> {
    using PortCount = Field<0, 5>; // NP: ports minus one
    using SlotCount = Field<8, 5>; // NCS: command slots minus one
    using CommandListOverride = Field<24, 1>; // SCLO
    using StaggeredSpinUp = Field<27, 1>; // SSS
    using Ncq = Field<30, 1>; // SNCQ
    using Addressing64 = Field<31, 1>; // S64A
};

struct Ghc : HbaRegister<Ghc, 0x04> {
    using Reset = Field<0, 1>; // HR
    using InterruptEnable = Field<1, 1>; // IE
    using AhciEnable = Field<31, 1>; // AE
};

struct Is : HbaRegister<Is, 0x08> { }; // one bit per port with an interrupt pending, write one to clear
struct Pi : HbaRegister<Pi, 0x0c> { }; // ports implemented
struct Vs : HbaRegister<Vs, 0x10> { };

struct Cap2 : HbaRegister<Cap2, 0x24> {
    using BiosHandoff = Field<0, 1>; // BOH
};

struct Bohc : HbaRegister<Bohc, 0x28> {
    using BiosOwned = Field<0, 1>; // BOS
    using OsOwned = Field<1, 1>; // OOS
    using BiosBusy = Field<4, 1>; // BB
};

constexpr size_t port_first = 0x100;
constexpr size_t port_stride = 0x80;
constexpr size_t max_ports = 32;
constexpr size_t port_base(unsigned n)
{
    return port_first + port_stride * n;
}

// ---- Port registers -------------------------------------------------------------------------------

namespace port {

struct Clb : PortRegister<Clb, 0x00> { }; // command list base, 1 KiB aligned
struct Clbu : PortRegister<Clbu, 0x04> { };
struct Fb : PortRegister<Fb, 0x08> { }; // received FIS base, 256-byte aligned
struct Fbu : PortRegister<Fbu, 0x0c> { };

// Interrupt status, write one to clear; PxIE has the same bits.
struct Is : PortRegister<Is, 0x10> {
    using D2hRegisterFis = Field<0, 1>; // DHRS
    using PioSetupFis = Field<1, 1>; // PSS
    using DmaSetupFis = Field<2, 1>; // DSS
    using SetDeviceBits = Field<3, 1>; // SDBS
    using UnknownFis = Field<4, 1>; // UFS
    using DescriptorProcessed = Field<5, 1>;
    using PortConnectChange = Field<6, 1>;
    using PhyReadyChange = Field<22, 1>;
    using Overflow = Field<24, 1>; // OFS
    using InterfaceNonFatal = Field<26, 1>; // INFS
    using InterfaceFatal = Field<27, 1>; // IFS
    using HostBusDataError = Field<28, 1>; // HBDS
    using HostBusFatal = Field<29, 1>; // HBFS
    using TaskFileError = Field<30, 1>; // TFES
    using ColdPresence = Field<31, 1>; // CPDS

    // What ends a command: its completion FISes, and the errors that stop the port.
    static constexpr uint32_t completion
        = D2hRegisterFis::mask | PioSetupFis::mask | DmaSetupFis::mask | SetDeviceBits::mask;
    static constexpr uint32_t errors = TaskFileError::mask | HostBusFatal::mask | HostBusDataError::mask
        | InterfaceFatal::mask | Overflow::mask | UnknownFis::mask;
    // What rumpdisk asks the HBA to interrupt for.
    static constexpr uint32_t wanted = completion | errors | InterfaceNonFatal::mask;
};

struct Ie : PortRegister<Ie, 0x14> { };

struct Cmd : PortRegister<Cmd, 0x18> {
    using Start = Field<0, 1>; // ST
    using SpinUp = Field<1, 1>; // SUD
    using PowerOn = Field<2, 1>; // POD
    using FisReceive = Field<4, 1>; // FRE
    using FisRunning = Field<14, 1>; // FR
    using ListRunning = Field<15, 1>; // CR
    using Atapi = Field<24, 1>; // ATAPI
};

// Task file data: the device's status and error registers.
struct Tfd : PortRegister<Tfd, 0x20> {
    using Status = Field<0, 8>;
    using Error = Field<8, 8>;
    using StatusError = Field<0, 1>; // ERR
    using DataRequest = Field<3, 1>; // DRQ
    using Busy = Field<7, 1>; // BSY
};

struct Sig : PortRegister<Sig, 0x24> { };

struct Ssts : PortRegister<Ssts, 0x28> { // SStatus
    using Detection = Field<0, 4>; // DET
    static constexpr uint32_t device_no_phy = 1;
    static constexpr uint32_t device_and_phy = 3;
};

struct Sctl : PortRegister<Sctl, 0x2c> { // SControl
    using Detection = Field<0, 4>; // DET: 1 sends COMRESET while set
    using NoPartial = Field<8, 1>; // IPM: no transitions to the partial state
    using NoSlumber = Field<9, 1>; // IPM: nor to slumber
    static constexpr uint32_t detection_reset = 1;
};

struct Serr : PortRegister<Serr, 0x30> { }; // SError, write one to clear
struct Sact : PortRegister<Sact, 0x34> { };
struct Ci : PortRegister<Ci, 0x38> { // command issue, one bit per slot
    using Slots = Field<0, 32>;
    using Slot0 = Field<0, 1>;
};

} // namespace port

} // namespace rumpdisk::ahci::reg
