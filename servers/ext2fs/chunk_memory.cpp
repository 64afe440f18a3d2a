// The file data cache's chunks from the VM system.
#include "chunk_memory.h"

#include "runtime/mach.h"

namespace ext2fs {

uint8_t* VmChunkMemory::allocate()
{
    vm_address_t at = 0;
    if (vm_allocate(mach_task_self(), &at, chunk_bytes, TRUE) != KERN_SUCCESS)
        return nullptr;
    return reinterpret_cast<uint8_t*>(at);
}

void VmChunkMemory::free(uint8_t* memory)
{
    (void)vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(memory), chunk_bytes);
}

size_t data_cache_budget()
{
    size_t budget = ext2::default_data_cache_bytes;
    host_basic_info_data_t info {};
    mach_msg_type_number_t count = HOST_BASIC_INFO_COUNT;
    if (host_info(mach_host_self(), HOST_BASIC_INFO, reinterpret_cast<host_info_t>(&info), &count) == KERN_SUCCESS
        && info.memory_size / 4 < budget)
        budget = info.memory_size / 4;
    return budget;
}

} // namespace ext2fs
