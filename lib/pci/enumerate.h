// Finding every function: bus 0, then every bus a bridge leads to (its secondary bus, as the
// firmware numbered it), never a blind sweep of all 256 buses. Functions 1-7 of a device are
// looked at only when function 0 says the device is multi-function.
#pragma once

#include <stddef.h>

#include "pci/access.h"
#include "pci/function.h"
#include "pci/status.h"

namespace pci {

// The functions found, in address order. Bounded: a machine with more functions than this
// gets the first ones and a table_full status, never a bigger allocation.
class FunctionTable {
public:
    static constexpr size_t capacity = 256;

    Status insert(const Function&);
    const Function* find(Address) const;
    Function* find(Address);
    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    const Function& operator[](size_t i) const { return m_functions[i]; }
    const Function* begin() const { return m_functions; }
    const Function* end() const { return m_functions + m_size; }
    void clear() { m_size = 0; }

private:
    Function m_functions[capacity];
    size_t m_size = 0;
};

enum class Sizing : uint8_t {
    ProbeRegions,
    // Identity only: nothing is written to any device.
    SkipRegions,
};

struct EnumerationReport {
    Status status = Status::Ok;
    // Buses whose 32 slots were looked at.
    unsigned buses_scanned = 0;
    // Bridges whose secondary bus the firmware left at 0: what is behind them is not seen.
    unsigned unnumbered_bridges = 0;
    // Bridges pointing at a bus already scanned (a loop, or two bridges claiming one bus).
    unsigned repeated_buses = 0;
};

// Reads the header of one function, or no_such_function if the slot is empty.
Status read_function(ConfigAccess&, Address, Function& out);

EnumerationReport enumerate(ConfigAccess&, FunctionTable&, Sizing);

} // namespace pci
