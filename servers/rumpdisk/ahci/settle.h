// The driver's bounded register poll: waits until (read() & mask) == want, `milliseconds` at
// most, sleeping between reads. For set-up and recovery, where waits are in milliseconds; a
// command's own wait is in Port::execute.
#pragma once

#include <stdint.h>

#include "runtime/hardware.h"
#include "runtime/msg.h"

namespace rumpdisk::ahci {

template<typename Read> bool settle(Read read, uint32_t mask, uint32_t want, unsigned milliseconds)
{
    mach::Deadline deadline(milliseconds);
    for (;;) {
        if ((read() & mask) == want)
            return true;
        if (deadline.passed())
            return (read() & mask) == want;
        mach::sleep_ms(1);
    }
}

} // namespace rumpdisk::ahci
