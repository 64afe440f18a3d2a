// Running commands on an AHCI port, and recovering it after errors (AHCI 1.3 §5.5, §6.2.2, §10.1).
#include "ahci/port.h"

#include "ahci/settle.h"
#include "runtime/clock.h"
#include "runtime/msg.h"

namespace rumpdisk::ahci {

namespace {

// Where the pieces sit in the port's page.
constexpr size_t command_list_offset = 0x000;
constexpr size_t received_fis_offset = 0x400;
constexpr size_t command_table_offset = 0x500;
constexpr size_t prd_capacity = 16;
static_assert(command_list_offset % command_list_alignment == 0);
static_assert(received_fis_offset % received_fis_alignment == 0);
static_assert(received_fis_offset >= command_list_offset + command_list_bytes);
static_assert(command_table_offset % table::alignment == 0);
static_assert(command_table_offset >= received_fis_offset + received_fis_bytes);
static_assert(command_table_offset + table::prdt + prd_capacity * sizeof(PrdEntry) <= 0x1000);

constexpr unsigned engine_stop_ms = 500; // PxCMD.CR and FR clear within 500 ms (§10.1.2)
constexpr unsigned link_ms = 1000; // a link that is present but not up yet
constexpr unsigned ready_ms = 5000; // BSY/DRQ after reset: QEMU at once, real disks spin up
constexpr uint32_t min_buffer = 64 * 1024;

void fence()
{
    // The HBA reads the command table and header by DMA: they must be in memory before PxCI is
    // written (x86 keeps stores in order; this keeps the compiler from moving them).
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

} // namespace

base::Result<void> Port::stop()
{
    uint32_t cmd = read(reg::port::cmd);
    if (cmd & (reg::cmd_bits::start | reg::cmd_bits::list_running)) {
        write(reg::port::cmd, cmd & ~reg::cmd_bits::start);
        if (!settle([this] { return read(reg::port::cmd); }, reg::cmd_bits::list_running, 0, engine_stop_ms))
            return base::Error(D_IO_ERROR, "the port's command engine does not stop (PxCMD.CR stays set)");
    }
    return {};
}

base::Result<void> Port::attach()
{
    // No interrupts until the port runs: the device's first D2H FIS is not a completion.
    write(reg::port::ie, 0);
    TRY(stop());
    uint32_t cmd = read(reg::port::cmd);
    if (cmd & (reg::cmd_bits::fis_receive | reg::cmd_bits::fis_running)) {
        write(reg::port::cmd, cmd & ~reg::cmd_bits::fis_receive);
        if (!settle([this] { return read(reg::port::cmd); }, reg::cmd_bits::fis_running, 0, engine_stop_ms))
            return base::Error(D_IO_ERROR, "the port's FIS receive engine does not stop (PxCMD.FR stays set)");
    }
    if (!m_memory.data())
        m_memory = TRY(mach::DmaBuffer::allocate(0x1000));
    uint64_t list = m_memory.physical() + command_list_offset;
    uint64_t fis = m_memory.physical() + received_fis_offset;
    write(reg::port::clb, static_cast<uint32_t>(list));
    write(reg::port::clbu, static_cast<uint32_t>(list >> 32));
    write(reg::port::fb, static_cast<uint32_t>(fis));
    write(reg::port::fbu, static_cast<uint32_t>(fis >> 32));
    write(reg::port::serr, 0xffffffff);
    write(reg::port::is, 0xffffffff);
    cmd = read(reg::port::cmd) | reg::cmd_bits::fis_receive;
    if (m_controller.capabilities() & reg::cap_bits::staggered_spin_up)
        cmd |= reg::cmd_bits::spin_up | reg::cmd_bits::power_on;
    write(reg::port::cmd, cmd);
    return {};
}

bool Port::link_up(const Controller& controller, unsigned index)
{
    auto detection = [&] { return controller.read_port(index, reg::port::ssts) & reg::ssts_bits::detection_mask; };
    uint32_t det = detection();
    if (det == reg::ssts_bits::device_no_phy)
        settle(detection, reg::ssts_bits::detection_mask, reg::ssts_bits::device_and_phy, link_ms);
    return detection() == reg::ssts_bits::device_and_phy;
}

base::Result<void> Port::wait_ready() const
{
    if (!settle(
            [this] { return read(reg::port::tfd); }, reg::tfd_bits::busy | reg::tfd_bits::data_request, 0, ready_ms))
        return base::Error(D_IO_ERROR, "the device stays busy (PxTFD.BSY or DRQ)");
    return {};
}

base::Result<void> Port::start(PortKind kind)
{
    m_kind = kind;
    TRY(wait_ready());
    uint32_t cmd = read(reg::port::cmd) | reg::cmd_bits::fis_receive | reg::cmd_bits::start;
    if (kind == PortKind::atapi)
        cmd |= reg::cmd_bits::atapi;
    else
        cmd &= ~reg::cmd_bits::atapi;
    write(reg::port::cmd, cmd);
    write(reg::port::is, 0xffffffff);
    write(reg::port::ie, reg::port_interrupts);
    return {};
}

base::Result<void> Port::allocate_buffer(size_t preferred)
{
    // Contiguous memory may be scarce; a smaller buffer only means more commands per request.
    for (size_t size = preferred; size >= min_buffer; size /= 2) {
        auto buffer = mach::DmaBuffer::allocate(size);
        if (!buffer.is_error()) {
            m_data = buffer.release_value();
            return {};
        }
    }
    return base::Error(D_NO_MEMORY, "no contiguous memory for the port's transfer buffer");
}

base::Result<void> Port::reset_link()
{
    // COMRESET (§10.4.2): DET = 1 for at least 1 ms, then 0; the device answers with a D2H FIS.
    uint32_t sctl = read(reg::port::sctl) & ~reg::sctl_bits::detection_mask;
    write(reg::port::sctl, sctl | reg::sctl_bits::detection_reset | reg::sctl_bits::no_partial_or_slumber);
    mach::sleep_ms(2);
    write(reg::port::sctl, sctl | reg::sctl_bits::no_partial_or_slumber);
    if (!settle([this] { return read(reg::port::ssts); }, reg::ssts_bits::detection_mask,
            reg::ssts_bits::device_and_phy, link_ms))
        return base::Error(D_IO_ERROR, "the link does not come back after COMRESET");
    write(reg::port::serr, 0xffffffff);
    return {};
}

base::Result<void> Port::recover(Recovery how)
{
    // §6.2.2.2: stop the engine (which drops the command), clear the errors, reset the link if the
    // device is still busy, start again.
    m_broken = true;
    bool stopped = !stop().is_error();
    write(reg::port::serr, 0xffffffff);
    write(reg::port::is, 0xffffffff);
    m_controller.collect(m_index);
    uint32_t tfd = read(reg::port::tfd);
    if (how == Recovery::reset_link || !stopped || (tfd & (reg::tfd_bits::busy | reg::tfd_bits::data_request))) {
        TRY(stop());
        TRY(reset_link());
    }
    TRY(start(m_kind));
    // An HBA clears PxCI when ST drops; QEMU's does not, and runs a dropped command again when ST
    // is set. The command table is unchanged, so that run repeats the same transfer: let it end
    // before slot 0 is reused.
    if (!settle([this] { return read(reg::port::ci); }, ~0u, 0, engine_stop_ms))
        return base::Error(D_IO_ERROR, "a dropped command stays issued (PxCI)");
    m_controller.collect(m_index);
    m_broken = false;
    return {};
}

base::Result<size_t> Port::execute(const Command& command)
{
    if (command.bytes > m_data.size())
        return base::Error(D_INVALID_SIZE, "a command larger than the port's buffer");
    if (m_broken || read(reg::port::ci) != 0) {
        auto recovered = recover(Recovery::reset_link);
        if (recovered.is_error())
            return base::Error(D_IO_ERROR, "the port does not recover");
    }

    uint8_t* memory = static_cast<uint8_t*>(m_memory.data());
    uint8_t* table = memory + command_table_offset;
    for (size_t i = 0; i < table::prdt; ++i)
        table[i] = 0;
    encode_register_h2d(command.task, table + table::command_fis);
    if (command.packet)
        for (size_t i = 0; i < table::atapi_packet_bytes; ++i)
            table[table::atapi_packet + i] = command.packet[i];
    uint16_t prd_count = 0;
    if (command.bytes > 0) {
        Segment data { m_data.physical(), command.bytes };
        auto* prdt = reinterpret_cast<PrdEntry*>(table + table::prdt);
        prd_count = static_cast<uint16_t>(TRY(build_prdt(&data, 1, prdt, prd_capacity)));
    }
    auto* header = reinterpret_cast<volatile CommandHeader*>(memory + command_list_offset);
    CommandHeader h = command_header(fis::register_h2d_dwords, command.direction,
        command.packet ? Protocol::atapi : Protocol::ata, prd_count, m_memory.physical() + command_table_offset);
    header->flags = h.flags;
    header->transferred = 0;
    header->table_low = h.table_low;
    header->table_high = h.table_high;
    fence();

    m_controller.collect(m_index);
    uint64_t notifications = m_controller.notifications();
    write(reg::port::ci, 1);

    uint64_t start = mach::uptime_ms();
    uint32_t status = 0;
    bool done = false, timed_out = false, waited_out = false;
    for (;;) {
        status |= m_controller.collect(m_index);
        if (status & reg::is_bits::errors)
            break;
        if (!(read(reg::port::ci) & 1)) {
            status |= m_controller.collect(m_index);
            done = !(status & reg::is_bits::errors);
            break;
        }
        uint64_t elapsed = mach::uptime_ms() - start;
        if (elapsed >= command.timeout_ms) {
            timed_out = true;
            break;
        }
        // A wait that no notification ended, for the judgement of whether interrupts arrive.
        if (!m_controller.wait_for_event(static_cast<unsigned>(command.timeout_ms - elapsed)))
            waited_out = true;
    }

    uint32_t tfd = read(reg::port::tfd);
    if (done && !(tfd & reg::tfd_bits::error)) {
        m_controller.finish_command(m_index, waited_out, notifications);
        fence();
        return static_cast<size_t>(header->transferred);
    }
    m_failure.timed_out = timed_out;
    m_failure.interrupt_status = status;
    m_failure.status = static_cast<uint8_t>(tfd);
    m_failure.error = static_cast<uint8_t>(tfd >> reg::tfd_bits::error_shift);
    // After a timeout the device may still be working on the command: only a link reset makes
    // sure it is dropped.
    (void)recover(timed_out ? Recovery::reset_link : Recovery::restart);
    return base::Error(D_IO_ERROR, timed_out ? "the command did not complete in time" : "the device reported an error");
}

} // namespace rumpdisk::ahci
