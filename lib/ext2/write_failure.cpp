// Writes the device refused: the filesystem is marked as having errors on the disk at once, as
// Linux's ext2_error() marks it, and sync reports the failures (mount.cpp).
#include "ext2/volume.h"

namespace ext2 {

using namespace layout;

void Volume::write_failed(BlockNumber first, uint32_t count, const base::Error& e)
{
    if (m_write_failures == m_failures_reported)
        m_unreported_failure = e;
    ++m_write_failures;
    m_last_write_failure.clear();
    if (count == 1)
        base::format(m_last_write_failure, "a write of block {} failed", first);
    else
        base::format(m_last_write_failure, "a write of blocks {}-{} failed", first, first + (count - 1));
    if (has_errors())
        return;
    // Kept through unmount, which restores the state found at mount with this bit added.
    m_sb.state |= state_error;
    m_mount_state |= state_error;
    m_super_dirty = true;
    // The cache's copy of the superblock's block is clean here (sync dirties it only just before
    // writing it back), so it cannot later overwrite this one; the next sync rewrites it with
    // the mark. A failure here has nobody left to tell.
    (void)write_superblock_now();
}

base::Result<void> Volume::write_superblock_now()
{
    // The superblock is 1024 bytes at byte 1024: whole sectors of 512 or 1024 bytes, or part of
    // a larger one, whose other bytes are read first. The device is used directly, not the
    // cache: this runs from inside the cache's own operations.
    uint32_t sector = m_device.sector_size();
    uint32_t first_sector = superblock_offset / sector;
    uint32_t skip = superblock_offset % sector;
    uint32_t sectors = (skip + superblock_size + sector - 1) / sector;
    if (skip != 0 || superblock_size % sector != 0)
        TRY(m_device.read(first_sector, sectors, m_super_sectors.data()));
    __builtin_memcpy(m_super_sectors.data() + skip, &m_sb, superblock_size);
    return m_device.write(first_sector, sectors, m_super_sectors.data());
}

} // namespace ext2
