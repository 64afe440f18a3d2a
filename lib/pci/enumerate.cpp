// Bus enumeration through bridges.
#include "pci/enumerate.h"

namespace pci {

Status FunctionTable::insert(const Function& f)
{
    if (m_size == capacity)
        return Status::TableFull;
    // Insertion keeps address order: the table is small and filled once, at start.
    size_t at = m_size;
    while (at > 0 && m_functions[at - 1].address.key() > f.address.key()) {
        m_functions[at] = m_functions[at - 1];
        --at;
    }
    m_functions[at] = f;
    ++m_size;
    return pci::Status::Ok;
}

const Function* FunctionTable::find(Address a) const
{
    size_t low = 0, high = m_size;
    while (low < high) {
        size_t mid = (low + high) / 2;
        uint16_t key = m_functions[mid].address.key();
        if (key == a.key())
            return &m_functions[mid];
        if (key < a.key())
            low = mid + 1;
        else
            high = mid;
    }
    return nullptr;
}

Function* FunctionTable::find(Address a)
{
    return const_cast<Function*>(static_cast<const FunctionTable*>(this)->find(a));
}

Status read_function(ConfigAccess& config, Address a, Function& f)
{
    using namespace config;
    FunctionRegisters r(FunctionAccess { &config, a });
    uint16_t vendor = r.read<VendorId>().word();
    if (vendor == vendor_absent || vendor == vendor_invalid)
        return pci::Status::NoSuchFunction;
    f = Function {};
    f.address = a;
    f.vendor_id = vendor;
    f.device_id = r.read<DeviceId>().word();
    f.revision = r.read<RevisionId>().word();
    f.class_code = { r.read<config::ClassCode>().word(), r.read<Subclass>().word(), r.read<ProgIf>().word() };
    auto header = r.read<HeaderType>();
    f.multi_function = header.has<HeaderType::MultiFunction>();
    f.layout = static_cast<HeaderLayout>(header.get<HeaderType::Layout>());
    f.interrupt_line = r.read<InterruptLine>().word();
    f.interrupt_pin = r.read<InterruptPin>().word();
    switch (f.layout) {
    case HeaderLayout::General:
        f.subsystem_vendor_id = r.read<SubsystemVendorId>().word();
        f.subsystem_id = r.read<SubsystemId>().word();
        break;
    case HeaderLayout::PciBridge:
    case HeaderLayout::CardbusBridge:
        f.secondary_bus = r.read<SecondaryBus>().word();
        f.subordinate_bus = r.read<SubordinateBus>().word();
        break;
    }
    return pci::Status::Ok;
}

namespace {

// Buses still to scan: a fixed queue, each bus entered at most once.
class BusQueue {
public:
    bool push(uint8_t bus)
    {
        if (m_seen[bus])
            return false;
        m_seen[bus] = true;
        m_queue[m_tail++] = bus;
        return true;
    }
    bool empty() const { return m_head == m_tail; }
    uint8_t pop() { return m_queue[m_head++]; }

private:
    bool m_seen[bus_count] = {};
    uint8_t m_queue[bus_count] = {};
    unsigned m_head = 0;
    unsigned m_tail = 0;
};

DecodeControl decode_control(const Function& f)
{
    bool host_bridge = f.class_code.base == classes::bridge && f.class_code.sub == classes::host_bridge;
    return host_bridge ? DecodeControl::KeepEnabled : DecodeControl::DisableWhileSizing;
}

} // namespace

EnumerationReport enumerate(ConfigAccess& config, FunctionTable& table, Sizing sizing)
{
    EnumerationReport report;
    BusQueue queue;
    queue.push(0);
    while (!queue.empty()) {
        uint8_t bus = queue.pop();
        ++report.buses_scanned;
        for (unsigned device = 0; device < devices_per_bus; ++device) {
            unsigned functions = 1;
            for (unsigned function = 0; function < functions; ++function) {
                Address a { bus, uint8_t(device), uint8_t(function) };
                Function f;
                if (read_function(config, a, f) != Status::Ok) {
                    if (function == 0)
                        break; // An empty slot: functions 1-7 are not looked at.
                    continue;
                }
                if (function == 0 && f.multi_function)
                    functions = functions_per_device;
                if (f.is_bridge()) {
                    if (f.secondary_bus == 0)
                        ++report.unnumbered_bridges;
                    else if (!queue.push(f.secondary_bus))
                        ++report.repeated_buses;
                }
                if (sizing == Sizing::ProbeRegions)
                    f.regions = size_regions(config, a, f.layout, decode_control(f));
                if (table.insert(f) != Status::Ok)
                    report.status = Status::TableFull;
            }
        }
    }
    return report;
}

} // namespace pci
