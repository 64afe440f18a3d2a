// The file data cache's memory (lib/ext2/file_cache.h) as pages of ext2fs's own address space:
// each chunk is a region of its own from vm_allocate, zero-filled by the kernel on first touch,
// so a chunk costs only the pages it fills, and a region whose pages came from a device reply
// by vm_copy shares them until written. Chunks are whole pages, so a read of whole cached pages
// can be sent to a client copy-on-write (io.cpp) without a byte moving.
#pragma once

#include "ext2/filesystem.h"

namespace ext2fs {

class VmChunkMemory final : public ext2::ChunkMemory {
public:
    uint8_t* allocate() override;
    void free(uint8_t*) override;
};

// The budget of the file data cache: ext2::default_data_cache_bytes, or a quarter of the
// machine's memory when that is less (so that a small machine keeps room for everything else).
size_t data_cache_budget();

} // namespace ext2fs
