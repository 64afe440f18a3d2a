// The mounted filesystem's state and the internal operations the public Filesystem is built
// from. Each group of operations lives in its own file: mount.cpp (superblock, descriptors,
// sync), allocation.cpp (bitmaps), inode.cpp (inode table, holds, freeing), block_map.cpp
// (logical to physical blocks), file_data.cpp (reading and writing contents), directory.cpp
// (entries), and filesystem.cpp / namespace.cpp (the public calls).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/format.h"
#include "base/own.h"
#include "base/result.h"
#include "ext2/block_cache.h"
#include "ext2/ext2_layout.h"
#include "ext2/file_cache.h"
#include "ext2/filesystem.h"
#include "ext2/name_cache.h"
#include "ext2/numbers.h"

namespace ext2 {

// A run of logical blocks mapped to consecutive physical blocks, or a hole (physical 0).
struct Run {
    BlockNumber physical;
    uint32_t count;
    bool is_hole() const { return physical == BlockNumber(); }
};

// Where a directory entry was found: its directory block and byte offset.
struct EntryPlace {
    LogicalBlock logical; // directory block
    uint32_t offset; // within the block
    Ino ino;
    FileType type;
};

class Volume final : public WriteFailureListener {
public:
    using Inode = layout::Inode;

    explicit Volume(BlockDevice& device)
        : m_device(device)
    {
    }

    // The state is private; the public calls (filesystem.cpp, namespace.cpp) and the helpers of
    // each file read what they need through these.
    BlockCache& cache() { return m_cache; }
    FileCache& files() { return m_files; }
    uint32_t block_size() const { return m_block_size; }
    uint32_t block_log() const { return m_block_log; }
    uint32_t pointers_per_block() const { return m_pointers_per_block; }
    uint32_t inode_count() const { return m_sb.inodes_count; }
    // The inodes below the first one (the bad-blocks inode, the journal's, ...) but the root.
    bool is_reserved(Ino ino) const { return ino < m_first_ino && ino != root_ino; }
    bool read_only() const { return m_read_only; }
    base::StringView mount_note() const { return m_note.view(); }
    base::StringView last_corruption() const { return m_last_corruption.view(); }
    base::StringView last_write_failure() const { return m_last_write_failure.view(); }
    DirectoryStats directory_stats() const { return m_directory_stats; }
    // The Volume's memory and the cache's and name tables'.
    MemoryUse memory_use() const;

    // mount.cpp
    base::Result<void> mount(const MountOptions&);
    // Writes back, flushes, and then reports the writes that failed since the last sync (the
    // first one's error), once: sync promises that what was written is on stable storage.
    base::Result<void> sync();
    base::Result<void> unmount();
    StatFs statfs() const;

    // write_failure.cpp: a write the device refused. As Linux's ext2_error() does, the filesystem is
    // marked as having errors (s_state gets EXT2_ERROR_FS) and the superblock is written out at
    // once, straight to the device, so that e2fsck sees it whatever happens next; the mark
    // stays through unmount. The next sync reports the failure.
    void write_failed(BlockNumber first, uint32_t count, const base::Error&) override;
    bool has_errors() const { return m_sb.state & layout::state_error; }

    // Errors that name what was found. corrupt() records a detailed sentence for
    // last_corruption() and returns Errc::Corrupt with the static context.
    base::Error corrupt(const char* what, Ino ino = 0, BlockNumber block = {});
    // A sentence for the notes sink (MountOptions::notes), if there is one; at most
    // max_notes per mount.
    template<typename... Args> void tell(base::StringView fmt, const Args&... args)
    {
        if (!m_notes || m_notes_told > max_notes)
            return;
        base::BufferSink<256> sentence;
        if (m_notes_told++ == max_notes)
            base::format(sentence, "(further notes are not told)");
        else
            base::format(sentence, fmt, args...);
        m_notes->note(sentence.view());
    }
    // Reports a failed undo through the notes, so that it is not lost behind the error the
    // call returns.
    void tell_undo_failed(const char* what, const base::Error&);
    base::Result<void> check_writable() const;
    base::Result<void> check_mounted() const;
    uint32_t now();

    bool has_compat(uint32_t f) const { return m_sb.feature_compat & f; }
    bool has_ro_compat(uint32_t f) const { return m_sb.feature_ro_compat & f; }
    bool has_incompat(uint32_t f) const { return m_sb.feature_incompat & f; }
    bool valid_data_block(BlockNumber b) const
    {
        return b.value() >= m_sb.first_data_block && b.value() < m_sb.blocks_count;
    }
    GroupNumber group_of_block(BlockNumber b) const
    {
        return GroupNumber((b.value() - m_sb.first_data_block) / m_sb.blocks_per_group);
    }
    BlockNumber group_first_block(GroupNumber g) const
    {
        return BlockNumber(m_sb.first_data_block + g.value() * m_sb.blocks_per_group);
    }
    uint32_t group_block_count(GroupNumber) const;
    GroupNumber group_of_inode(Ino ino) const { return GroupNumber((ino - 1) / m_sb.inodes_per_group); }
    bool is_group_metadata(GroupNumber, BlockNumber) const;

    // allocation.cpp: bitmaps and the free counts of the descriptors and superblock.
    base::Result<BlockNumber> allocate_block(BlockNumber goal);
    // Exactly the checks free_block makes, without freeing: in range, in a trusted group, not
    // the group's metadata nor a listed bad block, marked in use.
    base::Result<void> check_freeable_block(BlockNumber);
    base::Result<void> free_block(BlockNumber);
    base::Result<bool> block_in_use(BlockNumber);
    base::Result<Ino> allocate_inode(Ino parent, bool directory);
    base::Result<void> free_inode_bit(Ino, bool directory);
    // Undo of an allocation made by the same call: clears the bit it set, even in a group found
    // inconsistent since.
    base::Result<void> give_back_block(BlockNumber);
    base::Result<void> give_back_inode(Ino, bool directory);
    bool inodes_trusted(GroupNumber) const;

    // inode.cpp
    base::Result<Inode> read_inode(Ino);
    base::Result<void> write_inode(Ino, const Inode&);
    base::Result<void> write_new_inode(Ino, const Inode&);
    // An inode a call may act on: in range, in use (linked or held), of a known type.
    base::Result<Inode> load(Ino);
    base::Result<Inode> load_directory(Ino);
    uint64_t size_of(const Inode&) const;
    base::Result<void> set_size(Inode&, uint64_t);
    bool is_fast_symlink(const Inode&) const;
    base::Result<void> hold(Ino);
    base::Result<void> release(Ino);
    // Whether an inode left with links_after links could be freed without meeting a corrupt
    // block map or attribute block; called before a name goes, so that a refused removal
    // leaves the name in place.
    base::Result<void> check_destroyable(Ino, const Inode&, uint32_t links_after);
    // Drops a link; the inode goes when it has none left and is not held.
    base::Result<void> drop_link(Ino, Inode&);
    uint32_t next_generation() { return ++m_generation; }

    // block_map.cpp
    base::Result<Run> map(Ino, const Inode&, LogicalBlock, uint32_t max);
    // The physical block of logical, allocating it (and indirect blocks) when absent. fresh
    // says the block is new: its contents are undefined until written.
    struct Mapped {
        BlockNumber physical;
        bool fresh;
    };
    base::Result<Mapped> map_or_allocate(Ino, Inode&, LogicalBlock);
    // Frees every block at logical >= first (and indirect blocks left empty), after checking
    // that part of the map whole (check_blocks_from alone does only the check: the numbers, no
    // indirect block pointing back up its own path, and check_freeable_block on every block;
    // free_checked_blocks_from only frees, after a check_blocks_from that passed).
    base::Result<void> free_blocks_from(Ino, Inode&, LogicalBlock first);
    base::Result<void> check_blocks_from(Ino, const Inode&, LogicalBlock first);
    base::Result<void> free_checked_blocks_from(Ino, Inode&, LogicalBlock first);
    // Calls visit(context, block) for every data block the map names (not indirect blocks),
    // checking numbers and loops as map() does.
    using BlockVisitor = base::Result<void> (*)(void* context, BlockNumber block);
    base::Result<void> for_each_data_block(Ino, const Inode&, BlockVisitor, void* context);
    // How many logical blocks a file can have: its logical blocks are below this.
    uint32_t max_logical_blocks() const { return m_max_logical; }

    // file_data.cpp
    base::Result<size_t> read_data(Ino, const Inode&, uint64_t offset, void* buffer, size_t len);
    // Through the file data cache (file_cache.h): data nullptr when the cache cannot hold it.
    base::Result<DataView> view_data(Ino, const Inode&, uint64_t offset, size_t len);
    base::Result<size_t> write_data(Ino, Inode&, uint64_t offset, const void* buffer, size_t len);
    base::Result<void> truncate_data(Ino, Inode&, uint64_t size);

    // directory.cpp
    // Through the hash index when it is usable (htree.cpp), else through the directory's name
    // table (name_cache.h) when it is big, else by a scan.
    base::Result<EntryPlace> find_entry(Ino dir, const Inode&, base::StringView name);
    base::Result<DirBatch> read_entries(Ino dir, const Inode&, uint64_t cursor, DirEntry* out, size_t max);
    base::Result<void> add_entry(Ino dir, Inode&, base::StringView name, Ino, FileType);
    base::Result<void> remove_entry(Ino dir, Inode&, const EntryPlace&);
    base::Result<void> retarget_entry(Ino dir, Inode&, const EntryPlace&, Ino, FileType);
    base::Result<bool> is_empty_directory(Ino dir, const Inode&);
    base::Result<Ino> parent_of(Ino dir, const Inode&);
    base::Result<void> set_parent(Ino dir, Inode&, Ino parent);
    base::Result<void> write_new_directory_block(BlockNumber, Ino self, Ino parent);
    FileType file_type_of(uint16_t mode) const;
    // A directory block was read and checked (for directory_stats()).
    void count_directory_block() { ++m_directory_stats.blocks_read; }
    void count_directory_check() { ++m_directory_stats.blocks_checked; }

private:
    // mount.cpp: mount's checks: the groups' metadata must not overlap (else read-only), the
    // bad-blocks list is read, each group's bitmaps are verified.
    const char* layout_contradiction(GroupNumber) const;
    base::Result<void> load_bad_blocks();
    base::Result<void> check_groups();
    bool group_has_super(GroupNumber) const;
    // The superblock (or its backup) and descriptor blocks at the start of group g.
    uint32_t header_blocks(GroupNumber) const;
    // The block that holds descriptor block i (fs/ext2/super.c descriptor_loc()).
    BlockNumber descriptor_block(uint32_t i) const;
    // Where a group's metadata is, as its descriptor says (checked at mount to lie in the group).
    layout::GroupDescriptor& descriptor(GroupNumber g) { return m_groups[g.value()]; }
    const layout::GroupDescriptor& descriptor(GroupNumber g) const { return m_groups[g.value()]; }
    BlockNumber block_bitmap(GroupNumber g) const { return BlockNumber(descriptor(g).block_bitmap); }
    BlockNumber inode_bitmap(GroupNumber g) const { return BlockNumber(descriptor(g).inode_bitmap); }
    BlockNumber inode_table(GroupNumber g) const { return BlockNumber(descriptor(g).inode_table); }
    bool in_inode_table(GroupNumber g, BlockNumber b) const
    {
        return b >= inode_table(g) && b - inode_table(g) < m_inode_table_blocks;
    }

    void record_corruption(const char* what, Ino ino = 0, BlockNumber block = {});

    // write_failure.cpp
    base::Result<void> write_superblock_now();

    // allocation.cpp
    base::Result<bool> inode_in_use(Ino); // by its contents
    base::Result<bool> inode_in_use_bit(Ino); // by the inode bitmap
    base::Result<void> clear_block_bit(BlockNumber);
    base::Result<void> clear_inode_bit(Ino, bool directory);
    void note_allocation_in(GroupNumber);
    // Checks a group's bitmaps against its descriptor and its metadata (at mount).
    base::Result<void> verify_group(GroupNumber);
    void distrust_blocks(GroupNumber, const char* why, BlockNumber);
    void distrust_inodes(GroupNumber, const char* why, Ino);
    bool blocks_trusted(GroupNumber) const;
    bool is_listed_bad(BlockNumber) const;

    // inode.cpp
    struct InodeLocation {
        BlockNumber block;
        uint32_t offset;
    };
    base::Result<void> check_ino(Ino) const;
    base::Result<InodeLocation> locate(Ino) const;
    bool has_block_map(const Inode&) const;
    bool is_held(Ino) const;
    // The extended-attribute block an inode drops when it goes: checked (magic, one block, a
    // reference count, and free_block's checks when it is the last reference), then released.
    base::Result<void> check_xattr_release(Ino, const Inode&);
    base::Result<void> release_xattr(Ino, Inode&);
    base::Result<void> destroy_inode(Ino, Inode&);
    base::Result<void> release_all_holds();

    // directory.cpp
    // Looks name up in one directory block: true and *place when it is there.
    base::Result<bool> find_in_block(Ino dir, const Inode&, LogicalBlock, base::StringView name, EntryPlace*);
    base::Result<void> place_entry(Ino dir, Inode&, base::StringView name, Ino, FileType, NameTable*);

    // file_data.cpp: count whole blocks from first, in runs of consecutive blocks (one device
    // transfer each), the block cache's newer copies laid over; and the file data cache's fill.
    base::Result<void> read_blocks_of(Ino, const Inode&, LogicalBlock first, uint32_t count, uint8_t* out);
    base::Result<void> fill_pages(
        Ino, const Inode&, uint32_t chunk, uint8_t* memory, uint32_t first_page, uint32_t end_page);

    // htree.cpp: Unusable when the index does not hold (the caller scans instead).
    enum class IndexAnswer { Found, Absent, Unusable };
    base::Result<IndexAnswer> find_indexed(Ino dir, const Inode&, uint32_t blocks, base::StringView, EntryPlace*);

    BlockDevice& m_device;
    BlockCache m_cache;
    FileCache m_files;
    NameCache m_names;
    DirectoryStats m_directory_stats {};
    layout::Superblock m_sb {};
    base::OwnArray<layout::GroupDescriptor> m_groups;
    // Per group: which bitmaps are untrusted (found contradicting the counts, the metadata, the
    // bad-blocks list or the inode table): nothing is allocated or freed by them.
    base::OwnArray<uint8_t> m_group_flags;
    static constexpr uint8_t blocks_untrusted = 1;
    static constexpr uint8_t inodes_untrusted = 2;
    // The free counts of the trusted groups: what statfs reports and allocation relies on.
    uint64_t m_trusted_free_blocks = 0;
    uint64_t m_trusted_free_inodes = 0;
    // The bad-blocks inode's list, sorted (read at mount).
    base::OwnArray<BlockNumber> m_bad_blocks;
    uint32_t m_bad_block_count = 0;
    static constexpr uint32_t max_bad_blocks = 65536;
    Notes* m_notes = nullptr;
    uint32_t m_notes_told = 0;
    static constexpr uint32_t max_notes = 32;
    uint32_t m_group_count = 0;
    uint32_t m_descriptor_blocks = 0;
    uint32_t m_block_size = 0;
    uint32_t m_block_log = 0;
    uint32_t m_pointers_per_block = 0;
    uint32_t m_inode_size = 0;
    uint32_t m_first_ino = 0;
    uint32_t m_inode_table_blocks = 0;
    uint32_t m_max_logical = 0;
    uint64_t m_max_file_size = 0;
    uint16_t m_mount_state = 0; // s_state as found, restored at unmount
    uint32_t m_generation = 0;
    bool m_read_only = false;
    bool m_mounted = false;
    bool m_super_dirty = false;
    Clock* m_clock = nullptr;
    uint32_t m_last_time = 0;

    struct Hold {
        Ino ino;
        uint32_t count;
    };
    base::OwnArray<Hold> m_holds;

    base::BufferSink<192> m_note;
    base::BufferSink<192> m_last_corruption;

    // Writes the device refused: how many since the mount, how many a sync has reported, the
    // first one not reported yet, and a sentence on the last one.
    uint64_t m_write_failures = 0;
    uint64_t m_failures_reported = 0;
    base::Error m_unreported_failure { 0 };
    base::BufferSink<96> m_last_write_failure;
    // The device sectors that hold the superblock, read and written by write_superblock_now
    // (allocated at mount: nothing allocates after it).
    base::OwnArray<uint8_t> m_super_sectors;
};

} // namespace ext2
