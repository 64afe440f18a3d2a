// Partition volumes: the disk's table read through lib/partition, one volume per partition.
#include "partitions.h"

#include "partition/partition.h"
#include "runtime/console.h"

namespace rumpdisk {

namespace {

class DiskSectors final : public partition::SectorReader {
public:
    explicit DiskSectors(Disk& disk)
        : m_disk(disk)
    {
    }
    base::Result<void> read(uint64_t lba, void* buffer) override { return m_disk.read(lba, 1, buffer); }

private:
    Disk& m_disk;
};

// Static: a table of 128 partitions is too large for the stack.
partition::Table table;

} // namespace

void add_partitions(BlockServer& server, const Volume& whole)
{
    Disk& disk = *whole.disk;
    DiskSectors sectors(disk);
    auto read = partition::read_table(sectors, disk.identity().sector_size, whole.sector_count);
    if (read.is_error()) {
        runtime::report("{}: partition table not used: {}; the disk is served whole", whole.name, read.error());
        return;
    }
    table = read.release_value();
    for (size_t i = 0; i < table.warning_count; ++i)
        runtime::report("{}: {} table: {}", whole.name, partition::scheme_name(table.scheme), table.warnings[i]);
    if (table.more_warnings)
        runtime::report("{}: more warnings left out", whole.name);
    for (size_t i = 0; i < table.count; ++i) {
        const partition::Partition& p = table.partitions[i];
        Volume v;
        v.name = base::formatted<16>("{}s{}", whole.name, p.number);
        v.disk = whole.disk;
        v.first_sector = p.first_sector;
        v.sector_count = p.sector_count;
        v.read_only = whole.read_only;
        if (!server.add_volume(v)) {
            runtime::report("{}: too many volumes, not served", v.name);
            return;
        }
        uint64_t mib = p.sector_count * disk.identity().sector_size >> 20;
        if (table.scheme == partition::Scheme::Mbr)
            runtime::report("{}: sectors {}-{} ({} MiB), MBR type {:#04x}", v.name, p.first_sector,
                p.first_sector + p.sector_count - 1, mib, p.mbr_type);
        else
            runtime::report("{}: sectors {}-{} ({} MiB), GPT type {}", v.name, p.first_sector,
                p.first_sector + p.sector_count - 1, mib, p.type);
    }
}

} // namespace rumpdisk
