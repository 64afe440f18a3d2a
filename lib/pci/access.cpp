// Checks of configuration accesses that come from clients.
#include "pci/access.h"

namespace pci {

Status check_config_access(int64_t offset, uint64_t size, uint32_t space_size)
{
    if (size != 1 && size != 2 && size != 4)
        return Status::BadSize;
    if (offset < 0 || uint64_t(offset) >= space_size || size > space_size - uint64_t(offset))
        return Status::OutOfRange;
    if (offset % int64_t(size) != 0)
        return Status::Misaligned;
    return Status::Ok;
}

} // namespace pci
