// The ext2 on-disk format as e2fsprogs writes it and Linux's fs/ext2 reads it: the superblock,
// the group descriptor, the inode, the directory entry, the extended-attribute block header,
// and the feature bits. All fields are little-endian, as on the machines this runs on.
#pragma once

#include <stddef.h>
#include <stdint.h>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ext2 structures are read in place");

namespace ext2::layout {

constexpr uint64_t superblock_offset = 1024; // bytes from the start of the device
constexpr size_t superblock_size = 1024;
constexpr uint16_t magic = 0xef53;

constexpr uint32_t good_old_rev = 0; // revision 0: 128-byte inodes, first inode 11, no features
constexpr uint32_t dynamic_rev = 1;
constexpr uint32_t good_old_first_ino = 11;
constexpr uint16_t good_old_inode_size = 128;

constexpr uint16_t state_valid = 0x0001; // EXT2_VALID_FS: cleanly unmounted
constexpr uint16_t state_error = 0x0002; // EXT2_ERROR_FS

constexpr uint32_t min_block_log = 10; // 1 KiB
constexpr uint32_t max_block_log = 12; // 4 KiB: the sizes this library handles

// Feature bits (fs/ext2/ext2.h, e2fsprogs lib/ext2fs/ext2_fs.h).
namespace compat {
constexpr uint32_t dir_prealloc = 0x0001;
constexpr uint32_t imagic_inodes = 0x0002;
constexpr uint32_t has_journal = 0x0004;
constexpr uint32_t ext_attr = 0x0008;
constexpr uint32_t resize_inode = 0x0010;
constexpr uint32_t dir_index = 0x0020;
} // namespace compat

namespace ro_compat {
constexpr uint32_t sparse_super = 0x0001;
constexpr uint32_t large_file = 0x0002;
constexpr uint32_t btree_dir = 0x0004;
constexpr uint32_t huge_file = 0x0008;
constexpr uint32_t gdt_csum = 0x0010;
constexpr uint32_t dir_nlink = 0x0020;
constexpr uint32_t extra_isize = 0x0040;
constexpr uint32_t has_snapshot = 0x0080;
constexpr uint32_t quota = 0x0100;
constexpr uint32_t bigalloc = 0x0200;
constexpr uint32_t metadata_csum = 0x0400;
constexpr uint32_t replica = 0x0800;
constexpr uint32_t readonly = 0x1000;
constexpr uint32_t project = 0x2000;
constexpr uint32_t shared_blocks = 0x4000;
constexpr uint32_t verity = 0x8000;
constexpr uint32_t orphan_present = 0x10000;
// What Linux's ext2 driver mounts read-write (EXT2_FEATURE_RO_COMPAT_SUPP).
constexpr uint32_t supported = sparse_super | large_file | btree_dir;
} // namespace ro_compat

namespace incompat {
constexpr uint32_t compression = 0x0001;
constexpr uint32_t filetype = 0x0002;
constexpr uint32_t recover = 0x0004; // needs_recovery: a journal to replay
constexpr uint32_t journal_dev = 0x0008;
constexpr uint32_t meta_bg = 0x0010;
constexpr uint32_t extents = 0x0040;
constexpr uint32_t bit64 = 0x0080;
constexpr uint32_t mmp = 0x0100;
constexpr uint32_t flex_bg = 0x0200;
constexpr uint32_t ea_inode = 0x0400;
constexpr uint32_t dirdata = 0x1000;
constexpr uint32_t csum_seed = 0x2000;
constexpr uint32_t largedir = 0x4000;
constexpr uint32_t inline_data = 0x8000;
constexpr uint32_t encrypt = 0x10000;
constexpr uint32_t casefold = 0x20000;
// What Linux's ext2 driver mounts at all (EXT2_FEATURE_INCOMPAT_SUPP).
constexpr uint32_t supported = filetype | meta_bg;
} // namespace incompat

struct Superblock {
    uint32_t inodes_count;
    uint32_t blocks_count;
    uint32_t r_blocks_count;
    uint32_t free_blocks_count;
    uint32_t free_inodes_count;
    uint32_t first_data_block;
    uint32_t log_block_size; // block size is 1024 << this
    uint32_t log_frag_size;
    uint32_t blocks_per_group;
    uint32_t frags_per_group;
    uint32_t inodes_per_group;
    uint32_t mtime;
    uint32_t wtime;
    uint16_t mnt_count;
    int16_t max_mnt_count;
    uint16_t magic;
    uint16_t state;
    uint16_t errors;
    uint16_t minor_rev_level;
    uint32_t lastcheck;
    uint32_t checkinterval;
    uint32_t creator_os;
    uint32_t rev_level;
    uint16_t def_resuid;
    uint16_t def_resgid;
    // Revision 1 (dynamic) only from here.
    uint32_t first_ino;
    uint16_t inode_size;
    uint16_t block_group_nr;
    uint32_t feature_compat;
    uint32_t feature_incompat;
    uint32_t feature_ro_compat;
    uint8_t uuid[16];
    char volume_name[16];
    char last_mounted[64];
    uint32_t algorithm_usage_bitmap;
    uint8_t prealloc_blocks;
    uint8_t prealloc_dir_blocks;
    uint16_t reserved_gdt_blocks;
    uint8_t journal_uuid[16];
    uint32_t journal_inum;
    uint32_t journal_dev;
    uint32_t last_orphan;
    uint32_t hash_seed[4];
    uint8_t def_hash_version;
    uint8_t jnl_backup_type;
    uint16_t desc_size;
    uint32_t default_mount_opts;
    uint32_t first_meta_bg;
    uint32_t mkfs_time;
    uint8_t rest[superblock_size - 268];
};
static_assert(sizeof(Superblock) == superblock_size);
static_assert(offsetof(Superblock, magic) == 56);
static_assert(offsetof(Superblock, feature_compat) == 92);
static_assert(offsetof(Superblock, first_meta_bg) == 260);

struct GroupDescriptor {
    uint32_t block_bitmap;
    uint32_t inode_bitmap;
    uint32_t inode_table;
    uint16_t free_blocks_count;
    uint16_t free_inodes_count;
    uint16_t used_dirs_count;
    uint16_t flags; // bg_flags: the *_uninit bits below
    // ext4's fields, meaningful only with uninit_bg or metadata_csum (which make this library
    // mount read-only); a stale bg_itable_unused would make e2fsck skip inodes in use.
    uint32_t exclude_bitmap;
    uint16_t block_bitmap_csum;
    uint16_t inode_bitmap_csum;
    uint16_t itable_unused;
    uint16_t checksum;
};
static_assert(sizeof(GroupDescriptor) == 32);
static_assert(offsetof(GroupDescriptor, itable_unused) == 28);

// bg_flags (EXT4_BG_*).
constexpr uint16_t group_inode_uninit = 0x0001;
constexpr uint16_t group_block_uninit = 0x0002;

constexpr size_t direct_blocks = 12;
constexpr size_t indirect_slot = 12;
constexpr size_t double_slot = 13;
constexpr size_t triple_slot = 14;
constexpr size_t block_slots = 15;
constexpr size_t fast_symlink_bytes = block_slots * 4; // a target under 60 bytes lives in i_block

// Reserved inode numbers (the root, 2, is ext2::root_ino).
constexpr uint32_t bad_blocks_ino = 1;

// The first 128 bytes of an inode, the part every revision has (the "good old" inode).
struct Inode {
    uint16_t mode;
    uint16_t uid;
    uint32_t size;
    uint32_t atime;
    uint32_t ctime;
    uint32_t mtime;
    uint32_t dtime;
    uint16_t gid;
    uint16_t links_count;
    uint32_t blocks; // in 512-byte units
    uint32_t flags;
    uint32_t osd1;
    uint32_t block[block_slots];
    uint32_t generation;
    uint32_t file_acl; // extended-attribute block
    uint32_t size_high; // regular files; i_dir_acl for others
    uint32_t faddr;
    uint8_t frag;
    uint8_t fsize;
    uint16_t pad1;
    uint16_t uid_high;
    uint16_t gid_high;
    uint32_t reserved2;
};
static_assert(sizeof(Inode) == good_old_inode_size);
static_assert(offsetof(Inode, block) == 40);
static_assert(offsetof(Inode, uid_high) == 120);

// The start of a large inode's extra space (e2fsprogs struct ext2_inode_large).
struct InodeExtra {
    uint16_t extra_isize;
    uint16_t checksum_hi;
    uint32_t ctime_extra;
    uint32_t mtime_extra;
    uint32_t atime_extra;
    uint32_t crtime;
    uint32_t crtime_extra;
    uint32_t version_hi;
    uint32_t projid;
};
static_assert(sizeof(InodeExtra) == 32);

// Inode flags this library cares about.
constexpr uint32_t index_fl = 0x00001000; // EXT2_INDEX_FL: hashed directory
constexpr uint32_t immutable_fl = 0x00000010;
constexpr uint32_t append_fl = 0x00000020;
constexpr uint32_t extents_fl = 0x00080000; // ext4; never valid here
constexpr uint32_t inline_data_fl = 0x10000000;

// Directory entry header; the name follows, padded to 4 bytes. Without the filetype feature
// name_len is 16 bits and file_type is its high byte (always 0, names being under 256 bytes).
struct DirEntryHeader {
    uint32_t inode;
    uint16_t rec_len;
    uint8_t name_len;
    uint8_t file_type;
};
static_assert(sizeof(DirEntryHeader) == 8);

constexpr uint32_t dir_rec_len(uint32_t name_len)
{
    return (8 + name_len + 3) & ~3u;
}

// Extended-attribute block header (only its reference count matters when an inode goes).
struct XattrHeader {
    uint32_t magic; // 0xea020000
    uint32_t refcount;
    uint32_t blocks; // 1
};
constexpr uint32_t xattr_magic = 0xea020000;

} // namespace ext2::layout
