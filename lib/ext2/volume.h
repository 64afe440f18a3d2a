// The mounted filesystem's state and the internal operations the public Filesystem is built
// from. Each group of operations lives in its own file: mount.cpp (superblock, descriptors,
// sync), allocation.cpp (bitmaps), inode.cpp (inode table, holds, freeing), block_map.cpp
// (logical to physical blocks), file_data.cpp (reading and writing contents), directory.cpp
// (entries), and filesystem.cpp / namespace.cpp (the public calls).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/format.h"
#include "base/result.h"
#include "ext2/block_cache.h"
#include "ext2/ext2_layout.h"
#include "ext2/filesystem.h"
#include "ext2/name_cache.h"

namespace ext2 {

// A run of logical blocks mapped to consecutive physical blocks, or a hole (physical 0).
struct Run {
    uint32_t physical;
    uint32_t count;
};

// Where a directory entry was found: its directory block and byte offset.
struct EntryPlace {
    uint32_t logical; // directory block
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
    ~Volume();

    // mount.cpp
    base::Result<void> mount(const MountOptions&);
    // Writes back, flushes, and then reports the writes that failed since the last sync (the
    // first one's error), once: sync promises that what was written is on stable storage.
    base::Result<void> sync();
    base::Result<void> unmount();
    StatFs statfs() const;
    // Mount's checks: the groups' metadata must not overlap (else read-only), the bad-blocks
    // list is read, each group's bitmaps are verified.
    const char* layout_contradiction(uint32_t g) const;
    base::Result<void> load_bad_blocks();
    base::Result<void> check_groups();

    // write_failure.cpp: a write the device refused. As Linux's ext2_error() does, the filesystem is
    // marked as having errors (s_state gets EXT2_ERROR_FS) and the superblock is written out at
    // once, straight to the device, so that e2fsck sees it whatever happens next; the mark
    // stays through unmount. The next sync reports the failure.
    void write_failed(uint32_t block, uint32_t count, const base::Error&) override;
    base::Result<void> write_superblock_now();
    bool has_errors() const { return m_sb.state & layout::state_error; }

    // Errors that name what was found. corrupt() records a detailed sentence for
    // last_corruption() and returns Errc::Corrupt with the static context.
    base::Error corrupt(const char* what, Ino ino = 0, uint32_t block = 0);
    void record_corruption(const char* what, Ino ino = 0, uint32_t block = 0);
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
    bool valid_data_block(uint32_t b) const { return b >= m_sb.first_data_block && b < m_sb.blocks_count; }
    uint32_t group_of_block(uint32_t b) const { return (b - m_sb.first_data_block) / m_sb.blocks_per_group; }
    uint32_t group_first_block(uint32_t g) const { return m_sb.first_data_block + g * m_sb.blocks_per_group; }
    uint32_t group_block_count(uint32_t g) const;
    uint32_t group_of_inode(Ino ino) const { return (ino - 1) / m_sb.inodes_per_group; }
    bool group_has_super(uint32_t g) const;
    bool is_group_metadata(uint32_t g, uint32_t block) const;
    // The superblock (or its backup) and descriptor blocks at the start of group g.
    uint32_t header_blocks(uint32_t g) const;

    // allocation.cpp: bitmaps and the free counts of the descriptors and superblock.
    base::Result<uint32_t> allocate_block(uint32_t goal);
    // Exactly the checks free_block makes, without freeing: in range, in a trusted group, not
    // the group's metadata nor a listed bad block, marked in use.
    base::Result<void> check_freeable_block(uint32_t block);
    base::Result<void> free_block(uint32_t block);
    base::Result<bool> block_in_use(uint32_t block);
    base::Result<Ino> allocate_inode(Ino parent, bool directory);
    base::Result<void> free_inode_bit(Ino, bool directory);
    base::Result<bool> inode_in_use(Ino); // by its contents
    base::Result<bool> inode_in_use_bit(Ino); // by the inode bitmap
    base::Result<void> clear_block_bit(uint32_t block);
    base::Result<void> clear_inode_bit(Ino, bool directory);
    void note_allocation_in(uint32_t g);
    // Undo of an allocation made by the same call: clears the bit it set, even in a group found
    // inconsistent since.
    base::Result<void> give_back_block(uint32_t block);
    base::Result<void> give_back_inode(Ino, bool directory);
    // Checks a group's bitmaps against its descriptor and its metadata (at mount).
    base::Result<void> verify_group(uint32_t g);
    void distrust_blocks(uint32_t g, const char* why, uint32_t block);
    void distrust_inodes(uint32_t g, const char* why, Ino);
    bool blocks_trusted(uint32_t g) const;
    bool inodes_trusted(uint32_t g) const;
    bool is_listed_bad(uint32_t block) const;

    // inode.cpp
    base::Result<void> check_ino(Ino) const;
    base::Result<Inode> read_inode(Ino);
    base::Result<void> write_inode(Ino, const Inode&);
    base::Result<void> write_new_inode(Ino, const Inode&);
    // An inode a call may act on: in range, in use (linked or held), of a known type.
    base::Result<Inode> load(Ino);
    base::Result<Inode> load_directory(Ino);
    uint64_t size_of(const Inode&) const;
    base::Result<void> set_size(Inode&, uint64_t);
    uint64_t max_file_size() const { return m_max_file_size; }
    bool is_fast_symlink(const Inode&) const;
    bool has_block_map(const Inode&) const;
    bool is_held(Ino) const;
    base::Result<void> hold(Ino);
    base::Result<void> release(Ino);
    // Whether an inode left with links_after links could be freed without meeting a corrupt
    // block map or attribute block; called before a name goes, so that a refused removal
    // leaves the name in place.
    base::Result<void> check_destroyable(Ino, const Inode&, uint32_t links_after);
    // The extended-attribute block an inode drops when it goes: checked (magic, one block, a
    // reference count, and free_block's checks when it is the last reference), then released.
    base::Result<void> check_xattr_release(Ino, const Inode&);
    base::Result<void> release_xattr(Ino, Inode&);
    // Drops a link; the inode goes when it has none left and is not held.
    base::Result<void> drop_link(Ino, Inode&);
    base::Result<void> destroy_inode(Ino, Inode&);
    base::Result<void> release_all_holds();
    uint32_t next_generation() { return ++m_generation; }

    // block_map.cpp
    base::Result<Run> map(Ino, const Inode&, uint32_t logical, uint32_t max);
    // The physical block of logical, allocating it (and indirect blocks) when absent. fresh
    // says the block is new: its contents are undefined until written.
    struct Mapped {
        uint32_t physical;
        bool fresh;
    };
    base::Result<Mapped> map_or_allocate(Ino, Inode&, uint32_t logical);
    // Frees every block at logical >= first (and indirect blocks left empty), after checking
    // that part of the map whole (check_blocks_from alone does only the check: the numbers, no
    // indirect block pointing back up its own path, and check_freeable_block on every block;
    // free_checked_blocks_from only frees, after a check_blocks_from that passed).
    base::Result<void> free_blocks_from(Ino, Inode&, uint32_t first);
    base::Result<void> check_blocks_from(Ino, const Inode&, uint32_t first);
    base::Result<void> free_checked_blocks_from(Ino, Inode&, uint32_t first);
    // Calls visit(context, block) for every data block the map names (not indirect blocks),
    // checking numbers and loops as map() does.
    using BlockVisitor = base::Result<void> (*)(void* context, uint32_t block);
    base::Result<void> for_each_data_block(Ino, const Inode&, BlockVisitor, void* context);
    uint32_t max_logical_blocks() const { return m_max_logical; }

    // file_data.cpp
    base::Result<size_t> read_data(Ino, const Inode&, uint64_t offset, void* buffer, size_t len);
    base::Result<size_t> write_data(Ino, Inode&, uint64_t offset, const void* buffer, size_t len);
    base::Result<void> truncate_data(Ino, Inode&, uint64_t size);

    // directory.cpp
    // Through the hash index when it is usable (htree.cpp), else through the directory's name
    // table (name_cache.h) when it is big, else by a scan.
    base::Result<EntryPlace> find_entry(Ino dir, const Inode&, base::StringView name);
    // Looks name up in one directory block: true and *place when it is there.
    base::Result<bool> find_in_block(Ino dir, const Inode&, uint32_t logical, base::StringView name, EntryPlace*);
    base::Result<DirBatch> read_entries(Ino dir, const Inode&, uint64_t cursor, DirEntry* out, size_t max);
    base::Result<void> add_entry(Ino dir, Inode&, base::StringView name, Ino, FileType);
    base::Result<void> place_entry(Ino dir, Inode&, base::StringView name, Ino, FileType, NameTable*);
    base::Result<void> remove_entry(Ino dir, Inode&, const EntryPlace&);
    base::Result<void> retarget_entry(Ino dir, Inode&, const EntryPlace&, Ino, FileType);
    base::Result<bool> is_empty_directory(Ino dir, const Inode&);
    base::Result<Ino> parent_of(Ino dir, const Inode&);
    base::Result<void> set_parent(Ino dir, Inode&, Ino parent);
    base::Result<void> write_new_directory_block(uint32_t block, Ino self, Ino parent);
    FileType file_type_of(uint16_t mode) const;

    // htree.cpp: Unusable when the index does not hold (the caller scans instead).
    enum class IndexAnswer { Found, Absent, Unusable };
    base::Result<IndexAnswer> find_indexed(Ino dir, const Inode&, uint32_t blocks, base::StringView, EntryPlace*);

    BlockDevice& m_device;
    BlockCache m_cache;
    NameCache m_names;
    DirectoryStats m_directory_stats {};
    layout::Superblock m_sb {};
    layout::GroupDescriptor* m_groups = nullptr;
    // Per group: which bitmaps are untrusted (found contradicting the counts, the metadata, the
    // bad-blocks list or the inode table): nothing is allocated or freed by them.
    uint8_t* m_group_flags = nullptr;
    static constexpr uint8_t blocks_untrusted = 1;
    static constexpr uint8_t inodes_untrusted = 2;
    // The free counts of the trusted groups: what statfs reports and allocation relies on.
    uint64_t m_trusted_free_blocks = 0;
    uint64_t m_trusted_free_inodes = 0;
    // The bad-blocks inode's list, sorted (read at mount).
    uint32_t* m_bad_blocks = nullptr;
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
    Hold* m_holds = nullptr;

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
    uint8_t* m_super_sectors = nullptr;
};

} // namespace ext2
