// Directories: blocks of variable-length entries, each block checked whole before its first use
// after it is read or changed by other code (as Linux's ext2_check_page does, once per page;
// BlockRef::checked), listed by a linear scan (which also reads dir_index
// directories, whose index blocks look like empty entries), looked up through the hash index
// when there is a usable one (htree.cpp) or through the name table of a big directory
// (name_cache.h), entries added in the first gap that fits or in a new block, removed by merging
// into the previous entry. A directory that is changed loses EXT2_INDEX_FL, as the ext2 rules
// allow, so that no stale hash index remains; its name table follows every change.
#include "ext2/volume.h"

namespace ext2 {

using namespace layout;

namespace {

struct Entry {
    uint32_t offset;
    DirEntryHeader header;
    uint32_t name_length;
    const char* name;
};

bool is_dot(const Entry& e)
{
    return e.name_length == 1 && e.name[0] == '.';
}
bool is_dot_dot(const Entry& e)
{
    return e.name_length == 2 && e.name[0] == '.' && e.name[1] == '.';
}
bool same_name(const Entry& e, base::StringView name)
{
    return e.name_length == name.size() && base::compare_memory(e.name, name.data(), name.size()) == 0;
}

} // namespace

// One directory block, checked, and its entries in order.
class DirectoryBlock {
public:
    static base::Result<DirectoryBlock> open(Volume& v, Ino dir, const Volume::Inode& in, LogicalBlock logical)
    {
        Run run = TRY(v.map(dir, in, logical, 1));
        if (run.is_hole())
            return v.corrupt("hole in a directory", dir);
        BlockRef ref = TRY(v.cache().get(run.physical));
        v.count_directory_block();
        DirectoryBlock block(v, static_cast<BlockRef&&>(ref));
        if (!block.m_ref.checked()) {
            v.count_directory_check();
            TRY(block.check(dir));
            block.m_ref.set_checked();
        }
        return block;
    }

    DirectoryBlock(DirectoryBlock&&) = default;

    // The entry at offset (which must be an entry's start, as found by next()).
    Entry at(uint32_t offset) const
    {
        Entry e;
        e.offset = offset;
        __builtin_memcpy(&e.header, m_ref.data() + offset, sizeof e.header);
        e.name_length = name_length(e.header);
        e.name = reinterpret_cast<const char*>(m_ref.data() + offset + sizeof e.header);
        return e;
    }
    bool valid(uint32_t offset) const { return offset < m_volume.block_size(); }
    // Whether a used entry named `name` starts at offset, which a name table gave. The table is
    // taken as a hint only: the offset must be on the block's chain of entries (a removed
    // entry's bytes stay, inside the entry before it), which a walk by rec_len shows without
    // reading any name.
    bool holds(uint32_t offset, base::StringView name, Entry* out) const
    {
        uint32_t at_offset = 0;
        while (at_offset < offset) {
            uint16_t rec_len;
            __builtin_memcpy(&rec_len, m_ref.data() + at_offset + offsetof(DirEntryHeader, rec_len), sizeof rec_len);
            at_offset += rec_len; // the block was checked: each rec_len is at least 12
        }
        if (at_offset != offset || !valid(offset))
            return false;
        Entry e = at(offset);
        if (!e.header.inode || !same_name(e, name))
            return false;
        *out = e;
        return true;
    }
    uint32_t next(const Entry& e) const { return e.offset + e.header.rec_len; }

    // Each change of the directory code leaves whole entries covering the block (a split
    // writes both halves before the block is opened again), so the block stays checked.
    void write_header(uint32_t offset, const DirEntryHeader& h)
    {
        __builtin_memcpy(m_ref.data() + offset, &h, sizeof h);
        m_ref.mark_dirty();
        m_ref.set_checked();
    }
    void write_entry(uint32_t offset, uint16_t rec_len, base::StringView name, Ino ino, FileType type)
    {
        DirEntryHeader h { ino, rec_len, static_cast<uint8_t>(name.size()),
            m_volume.has_incompat(incompat::filetype) ? static_cast<uint8_t>(type) : uint8_t(0) };
        write_header(offset, h);
        __builtin_memcpy(m_ref.data() + offset + sizeof h, name.data(), name.size());
    }

private:
    DirectoryBlock(Volume& v, BlockRef&& ref)
        : m_volume(v)
        , m_ref(static_cast<BlockRef&&>(ref))
    {
    }

    uint32_t name_length(const DirEntryHeader& h) const
    {
        // Without the filetype feature the name length is 16 bits wide.
        return m_volume.has_incompat(incompat::filetype) ? h.name_len : h.name_len | (uint32_t(h.file_type) << 8);
    }

    base::Result<void> check(Ino dir) const
    {
        uint32_t size = m_volume.block_size();
        for (uint32_t offset = 0; offset < size;) {
            if (size - offset < sizeof(DirEntryHeader))
                return m_volume.corrupt("directory entry header past the end of its block", dir, m_ref.number());
            DirEntryHeader h;
            __builtin_memcpy(&h, m_ref.data() + offset, sizeof h);
            uint32_t length = name_length(h);
            if (h.rec_len == 0)
                return m_volume.corrupt("directory entry with rec_len 0", dir, m_ref.number());
            if (h.rec_len < dir_rec_len(1))
                return m_volume.corrupt("directory entry with rec_len below 12", dir, m_ref.number());
            if (h.rec_len % 4)
                return m_volume.corrupt("directory entry with rec_len not a multiple of 4", dir, m_ref.number());
            if (length > max_name_length || h.rec_len < dir_rec_len(length))
                return m_volume.corrupt("directory entry shorter than its name", dir, m_ref.number());
            if (h.rec_len > size - offset)
                return m_volume.corrupt("directory entry running past the end of its block", dir, m_ref.number());
            if (h.inode > m_volume.inode_count())
                return m_volume.corrupt("directory entry naming an inode beyond the inode count", dir, m_ref.number());
            offset += h.rec_len;
        }
        return {};
    }

    Volume& m_volume;
    BlockRef m_ref;
};

namespace {

base::Result<uint32_t> block_count(Volume& v, Ino dir, const Volume::Inode& in)
{
    uint64_t size = v.size_of(in);
    if (size & (v.block_size() - 1))
        return v.corrupt("directory size not a multiple of the block size", dir);
    if ((size >> v.block_log()) > v.max_logical_blocks())
        return v.corrupt("directory larger than its block map can be", dir);
    return static_cast<uint32_t>(size >> v.block_log());
}

FileType type_of(const Volume& v, const Entry& e)
{
    if (!v.has_incompat(incompat::filetype) || e.header.file_type > uint8_t(FileType::Symlink))
        return FileType::Unknown;
    return static_cast<FileType>(e.header.file_type);
}

} // namespace

FileType Volume::file_type_of(uint16_t mode) const
{
    switch (mode & mode_type_mask) {
    case mode_reg:
        return FileType::Regular;
    case mode_dir:
        return FileType::Directory;
    case mode_chr:
        return FileType::CharDevice;
    case mode_blk:
        return FileType::BlockDevice;
    case mode_fifo:
        return FileType::Fifo;
    case mode_sock:
        return FileType::Socket;
    case mode_lnk:
        return FileType::Symlink;
    default:
        return FileType::Unknown;
    }
}

base::Result<bool> Volume::find_in_block(
    Ino dir, const Inode& in, LogicalBlock logical, base::StringView name, EntryPlace* place)
{
    DirectoryBlock block = TRY(DirectoryBlock::open(*this, dir, in, logical));
    for (uint32_t offset = 0; block.valid(offset);) {
        Entry e = block.at(offset);
        if (e.header.inode && same_name(e, name)) {
            *place = EntryPlace { logical, offset, e.header.inode, type_of(*this, e) };
            return true;
        }
        offset = block.next(e);
    }
    return false;
}

base::Result<EntryPlace> Volume::find_entry(Ino dir, const Inode& in, base::StringView name)
{
    uint32_t blocks = TRY(block_count(*this, dir, in));
    EntryPlace place {};
    if (has_compat(compat::dir_index) && (in.flags & index_fl)) {
        switch (TRY(find_indexed(dir, in, blocks, name, &place))) {
        case IndexAnswer::Found:
            ++m_directory_stats.index_lookups;
            return place;
        case IndexAnswer::Absent:
            ++m_directory_stats.index_lookups;
            return error(Errc::NotFound, "no such entry");
        case IndexAnswer::Unusable:
            break;
        }
    }
    if (NameCache::worth_it(blocks)) {
        uint32_t hash = NameCache::hash(name);
        NameTable* table = m_names.find(dir, in.generation);
        if (table) {
            base::Error failure { 0 };
            bool failed = false;
            bool found = table->visit(hash, [&](LogicalBlock logical, uint32_t offset) {
                auto opened = DirectoryBlock::open(*this, dir, in, logical);
                if (opened.is_error()) {
                    failure = opened.error();
                    failed = true;
                    return true;
                }
                Entry e;
                if (!opened.value().holds(offset, name, &e))
                    return false;
                place = EntryPlace { logical, offset, e.header.inode, type_of(*this, e) };
                return true;
            });
            if (failed)
                return failure;
            ++m_directory_stats.table_lookups;
            if (found)
                return place;
            return error(Errc::NotFound, "no such entry");
        }
        // The first lookup: one scan makes the table and answers.
        // Room for names of about 20 bytes; the table grows if they are shorter.
        size_t expected = size_t(blocks) * (m_block_size / 32);
        table = m_names.make(dir, in.generation, expected < NameCache::max_names ? expected : NameCache::max_names);
        bool found = false;
        for (LogicalBlock logical(0); logical < LogicalBlock(blocks); ++logical) {
            auto opened = DirectoryBlock::open(*this, dir, in, logical);
            if (opened.is_error()) {
                m_names.forget(dir);
                return opened.error();
            }
            DirectoryBlock& block = opened.value();
            for (uint32_t offset = 0; block.valid(offset);) {
                Entry e = block.at(offset);
                if (e.header.inode) {
                    base::StringView entry_name(e.name, e.name_length);
                    if (table
                        && (table->names() >= NameCache::max_names
                            || !table->insert(NameCache::hash(entry_name), logical, offset))) {
                        m_names.forget(dir);
                        table = nullptr;
                    }
                    if (!found && same_name(e, name)) {
                        place = EntryPlace { logical, offset, e.header.inode, type_of(*this, e) };
                        found = true;
                        if (!table)
                            return place; // no table to finish: the scan can stop here
                    }
                }
                offset = block.next(e);
            }
        }
        if (found)
            return place;
        return error(Errc::NotFound, "no such entry");
    }
    for (LogicalBlock logical(0); logical < LogicalBlock(blocks); ++logical)
        if (TRY(find_in_block(dir, in, logical, name, &place)))
            return place;
    return error(Errc::NotFound, "no such entry");
}

base::Result<DirBatch> Volume::read_entries(Ino dir, const Inode& in, uint64_t cursor, DirEntry* out, size_t max)
{
    uint32_t blocks = TRY(block_count(*this, dir, in));
    uint64_t end = uint64_t(blocks) << m_block_log;
    if (cursor >= end)
        return DirBatch { 0, end, true };
    size_t count = 0;
    uint32_t within = static_cast<uint32_t>(cursor & (m_block_size - 1));
    for (LogicalBlock logical(static_cast<uint32_t>(cursor >> m_block_log)); logical < LogicalBlock(blocks);
         ++logical, within = 0) {
        DirectoryBlock block = TRY(DirectoryBlock::open(*this, dir, in, logical));
        for (uint32_t offset = 0; block.valid(offset);) {
            Entry e = block.at(offset);
            if (offset >= within && e.header.inode) {
                if (count == max)
                    return DirBatch { count, (uint64_t(logical.value()) << m_block_log) + offset, false };
                DirEntry& d = out[count++];
                d.ino = e.header.inode;
                d.type = type_of(*this, e);
                d.name.assign(base::StringView(e.name, e.name_length));
            }
            offset = block.next(e);
        }
    }
    return DirBatch { count, end, true };
}

base::Result<void> Volume::add_entry(Ino dir, Inode& in, base::StringView name, Ino ino, FileType type)
{
    // The directory's name table follows the change, or goes if the change fails midway.
    NameTable* table = m_names.find(dir, in.generation);
    auto result = place_entry(dir, in, name, ino, type, table);
    if (result.is_error())
        m_names.forget(dir);
    return result;
}

base::Result<void> Volume::place_entry(
    Ino dir, Inode& in, base::StringView name, Ino ino, FileType type, NameTable* table)
{
    uint32_t need = dir_rec_len(static_cast<uint32_t>(name.size()));
    uint32_t blocks = TRY(block_count(*this, dir, in));
    bool placed = false;
    LogicalBlock end(blocks);
    LogicalBlock placed_in = end;
    uint32_t placed_at = 0;
    for (LogicalBlock logical(0); logical < end && !placed; ++logical) {
        DirectoryBlock block = TRY(DirectoryBlock::open(*this, dir, in, logical));
        for (uint32_t offset = 0; block.valid(offset);) {
            Entry e = block.at(offset);
            uint16_t rec_len = e.header.rec_len;
            if (e.header.inode == 0 && rec_len >= need) {
                block.write_entry(offset, rec_len, name, ino, type);
                placed = true;
                placed_in = logical;
                placed_at = offset;
                break;
            }
            uint32_t used = dir_rec_len(e.name_length);
            if (e.header.inode && rec_len >= used + need) {
                DirEntryHeader shortened = e.header;
                shortened.rec_len = static_cast<uint16_t>(used);
                block.write_header(offset, shortened);
                block.write_entry(offset + used, static_cast<uint16_t>(rec_len - used), name, ino, type);
                placed = true;
                placed_in = logical;
                placed_at = offset + used;
                break;
            }
            offset = block.next(e);
        }
    }
    if (!placed) {
        // A new block at the end, holding just this entry.
        Mapped mapped = TRY(map_or_allocate(dir, in, end));
        auto ref = m_cache.get_zeroed(mapped.physical);
        base::Result<void> sized;
        if (!ref.is_error())
            sized = set_size(in, uint64_t(blocks + 1) << m_block_log);
        if (ref.is_error() || sized.is_error()) {
            // Give back the new block (and an indirect block made for it): the map stays as it
            // was before, the inode unchanged on disk.
            auto undone = free_blocks_from(dir, in, end);
            if (undone.is_error())
                tell_undo_failed("giving back a new directory block", undone.error());
            return ref.is_error() ? ref.error() : sized.error();
        }
        DirEntryHeader h { ino, static_cast<uint16_t>(m_block_size), static_cast<uint8_t>(name.size()),
            has_incompat(incompat::filetype) ? static_cast<uint8_t>(type) : uint8_t(0) };
        __builtin_memcpy(ref.value().data(), &h, sizeof h);
        __builtin_memcpy(ref.value().data() + sizeof h, name.data(), name.size());
    }
    if (table && !table->insert(NameCache::hash(name), placed_in, placed_at))
        m_names.forget(dir);
    in.flags &= ~index_fl;
    in.mtime = in.ctime = now();
    return write_inode(dir, in);
}

base::Result<void> Volume::remove_entry(Ino dir, Inode& in, const EntryPlace& place)
{
    DirectoryBlock block = TRY(DirectoryBlock::open(*this, dir, in, place.logical));
    uint32_t previous = m_block_size;
    for (uint32_t offset = 0; block.valid(offset);) {
        Entry e = block.at(offset);
        if (offset == place.offset) {
            if (e.header.inode != place.ino)
                return corrupt("directory entry changed under a removal", dir);
            if (NameTable* table = m_names.find(dir, in.generation))
                table->erase(NameCache::hash(base::StringView(e.name, e.name_length)), place.logical, offset);
            if (previous == m_block_size) {
                DirEntryHeader h = e.header;
                h.inode = 0;
                block.write_header(offset, h);
            } else {
                Entry p = block.at(previous);
                DirEntryHeader h = p.header;
                h.rec_len = static_cast<uint16_t>(h.rec_len + e.header.rec_len);
                block.write_header(previous, h);
            }
            in.flags &= ~index_fl;
            in.mtime = in.ctime = now();
            return write_inode(dir, in);
        }
        previous = offset;
        offset = block.next(e);
    }
    return corrupt("directory entry to remove not found at its place", dir);
}

base::Result<void> Volume::retarget_entry(Ino dir, Inode& in, const EntryPlace& place, Ino ino, FileType type)
{
    DirectoryBlock block = TRY(DirectoryBlock::open(*this, dir, in, place.logical));
    for (uint32_t offset = 0; block.valid(offset);) {
        Entry e = block.at(offset);
        if (offset == place.offset) {
            DirEntryHeader h = e.header;
            h.inode = ino;
            if (has_incompat(incompat::filetype))
                h.file_type = static_cast<uint8_t>(type);
            block.write_header(offset, h);
            in.mtime = in.ctime = now();
            return write_inode(dir, in);
        }
        offset = block.next(e);
    }
    return corrupt("directory entry to replace not found at its place", dir);
}

base::Result<bool> Volume::is_empty_directory(Ino dir, const Inode& in)
{
    uint32_t blocks = TRY(block_count(*this, dir, in));
    for (LogicalBlock logical(0); logical < LogicalBlock(blocks); ++logical) {
        DirectoryBlock block = TRY(DirectoryBlock::open(*this, dir, in, logical));
        for (uint32_t offset = 0; block.valid(offset);) {
            Entry e = block.at(offset);
            if (e.header.inode && !is_dot(e) && !is_dot_dot(e))
                return false;
            offset = block.next(e);
        }
    }
    return true;
}

// '..' is the second entry of the first block (fs/ext2/dir.c ext2_dotdot()).
static base::Result<EntryPlace> dot_dot(Volume& v, Ino dir, const Volume::Inode& in)
{
    uint32_t blocks = TRY(block_count(v, dir, in));
    if (blocks == 0)
        return v.corrupt("directory with no block", dir);
    DirectoryBlock block = TRY(DirectoryBlock::open(v, dir, in, LogicalBlock(0)));
    Entry first = block.at(0);
    if (!is_dot(first) || !block.valid(block.next(first)))
        return v.corrupt("directory without '.' as its first entry", dir);
    Entry second = block.at(block.next(first));
    if (!is_dot_dot(second) || second.header.inode == 0)
        return v.corrupt("directory without '..' as its second entry", dir);
    return EntryPlace { LogicalBlock(0), second.offset, second.header.inode, FileType::Directory };
}

base::Result<Ino> Volume::parent_of(Ino dir, const Inode& in)
{
    EntryPlace place = TRY(dot_dot(*this, dir, in));
    return place.ino;
}

base::Result<void> Volume::set_parent(Ino dir, Inode& in, Ino parent)
{
    EntryPlace place = TRY(dot_dot(*this, dir, in));
    return retarget_entry(dir, in, place, parent, FileType::Directory);
}

base::Result<void> Volume::write_new_directory_block(BlockNumber physical, Ino self, Ino parent)
{
    BlockRef ref = TRY(m_cache.get_zeroed(physical));
    uint8_t type = has_incompat(incompat::filetype) ? uint8_t(FileType::Directory) : uint8_t(0);
    DirEntryHeader dot { self, static_cast<uint16_t>(dir_rec_len(1)), 1, type };
    DirEntryHeader dot_dot { parent, static_cast<uint16_t>(m_block_size - dir_rec_len(1)), 2, type };
    __builtin_memcpy(ref.data(), &dot, sizeof dot);
    ref.data()[sizeof dot] = '.';
    __builtin_memcpy(ref.data() + dir_rec_len(1), &dot_dot, sizeof dot_dot);
    ref.data()[dir_rec_len(1) + sizeof dot_dot] = '.';
    ref.data()[dir_rec_len(1) + sizeof dot_dot + 1] = '.';
    return {};
}

} // namespace ext2
