// Least privilege down the chain: what each link lets the links below it ask of the links above,
// through the device master it hands down. One table (policy.cpp) for the whole chain.
//
// A link serves the names its own providers own (rumpdisk's disks, the arbiter's "pci") and
// forwards up the chain only the names its policy lists, with at most the modes listed. Every
// other name is refused with D_NO_SUCH_DEVICE, whether or not it exists above; a listed name asked
// with a mode the policy does not give is refused with D_READ_ONLY. I/O permission is given for
// the listed port ranges only (and, at the arbiter, for the controllers it grants); anything else
// is KERN_INVALID_CAPABILITY. fsys_getpriv hands the privileged host port down only where the
// policy says so, and never a task port.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/string_view.h"
#include "runtime/mach.h"

namespace chain {

struct DeviceRule {
    base::StringView name; // a device name, exactly
    dev_mode_t modes; // the mode bits a request may carry (D_READ, D_WRITE)
};

struct IoRange {
    uint16_t first;
    uint16_t last; // inclusive
    bool contains(uint16_t from, uint16_t to) const { return from <= to && first <= from && to <= last; }
};

struct Policy {
    base::StringView link; // the link that applies it: the one handing its port down
    base::StringView holder; // who holds that port: the next link, or "programs" for exec's
    const DeviceRule* devices = nullptr;
    size_t device_count = 0;
    const IoRange* io_ranges = nullptr;
    size_t io_range_count = 0;
    bool host_priv = false; // fsys_getpriv hands the privileged host port down
    bool restart = false; // the next link is restarted when it dies or hangs (next_link.h)

    enum class Decision { Allowed, NoSuchDevice, ReadOnly };
    Decision device(base::StringView name, dev_mode_t mode) const;
    bool io(uint16_t from, uint16_t to) const;
};

// The policy of the link named `link` (its chain name: "pci-arbiter", "rumpdisk", ...). A link
// the table does not know (a test module in a server's place) gets the strictest one: the
// console and nothing else.
const Policy& policy_for(base::StringView link);

// The whole table, for the README's and the tests' use.
const Policy* policies(size_t& count);

} // namespace chain
