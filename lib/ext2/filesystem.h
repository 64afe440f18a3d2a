// The ext2 filesystem as a portable library: mount an image through a BlockDevice, then look up,
// read, write and change files by inode number. No Mach here: the ext2fs server maps its ports
// to inode numbers and this library's errors to its protocol's codes; host tests and fuzzers run
// the very same code on image files.
//
// Threading: none. A Filesystem is used by one thread at a time (the server serialises).
//
// Memory: mount() allocates, checked (base/own.h): the Filesystem (about 2 KiB), the group
// descriptor table (33 bytes per group), the hold table (8 KiB), the bad-blocks list (4 bytes a
// listed block, at most 65536 of them, else read-only), the block cache
// (MountOptions::cache_bytes, default 1 MiB, in blocks of the filesystem's size, plus about 32
// bytes of table per block, and a sixteenth of the budget, at most 64 KiB, to gather
// write-back's runs) and the file data cache's table (about 200 KiB). Nothing after mount
// allocates but the file data cache's chunks, within its budget (MountOptions::data_cache_bytes,
// file_cache.h): a request runs in the caches and about a kilobyte of stack. memory_use() gives
// the figures.
//
// Errors: every failing call returns a base::Error whose code is an ext2::Errc value (see below),
// or the code the BlockDevice returned, passed up unchanged. The context is a static sentence
// naming what was wrong ("directory entry with rec_len 0"). Corrupt structures give Errc::Corrupt
// for the operation that meets them; the library never writes on the strength of a structure it
// found corrupt:
// - A removal (unlink, rmdir, rename over a name, truncate) first makes every check the freeing
//   could fail: each block of the map passes the checks free_block makes (in range, not group
//   metadata, not a listed bad block, in a trusted group, marked in use) and the extended-
//   attribute block its own (magic, one block, a reference count). A refused removal changes
//   nothing: the name, the inode and the bitmaps stay as they were.
// - A call that fails after allocating gives back what it allocated; when that undo fails too,
//   the call's error is returned and the undo's failure is told through MountOptions::notes.
// - A bitmap is not believed alone. Mount checks every group's bitmaps against its descriptor
//   and metadata (reading two blocks per group); a bitmap found lying then or later (free bits
//   over the group's metadata, a listed bad block, or an inode plainly in use) is untrusted:
//   nothing is allocated or freed by it again, and notes name the group once.
// - Metadata that overlaps (bitmaps, inode tables, superblock and descriptor blocks) or a
//   bad-blocks list that cannot be read makes mount read-only, the reason in mount_note().
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/format.h"
#include "base/own.h"
#include "base/result.h"
#include "base/string_view.h"

namespace ext2 {

// The library's own error codes, carried in a base::Error of ext2::domain; a BlockDevice's errors
// pass up in their own domain (Mach's), so `e.is(ext2::domain)` tells the two apart. The numbers
// are 0x45320000 + the Linux errno value of the same meaning ('E2' in the high bytes), as they
// always were; error_name() names any of them.
constexpr int error_base = 0x45320000;
enum class Errc : int {
    NotPermitted = error_base + 1, // EPERM: a hard link to a directory, changing a reserved inode
    NotFound = error_base + 2, // ENOENT
    Io = error_base + 5, // EIO: the device read or wrote less than asked
    Busy = error_base + 16, // EBUSY: removing the root or a directory in use as '..'
    Exists = error_base + 17, // EEXIST
    CrossDevice = error_base + 18, // EXDEV: not used by the library, reserved for the server
    NotDirectory = error_base + 20, // ENOTDIR
    IsDirectory = error_base + 21, // EISDIR
    InvalidArgument = error_base + 22, // EINVAL: '.' or '..' as a name, a directory into itself,
                                       // readlink of something that is not a symlink
    FileTooLarge = error_base + 27, // EFBIG: beyond the block map or 2 GiB without large_file
    NoSpace = error_base + 28, // ENOSPC: no free block or inode
    ReadOnly = error_base + 30, // EROFS
    TooManyLinks = error_base + 31, // EMLINK: 65000 links (EXT2_LINK_MAX)
    NameTooLong = error_base + 36, // ENAMETOOLONG: a name over 255 bytes
    NotEmpty = error_base + 39, // ENOTEMPTY
    Unsupported = error_base + 95, // EOPNOTSUPP: a feature, block size or revision not handled
    Corrupt = error_base + 117, // EUCLEAN: the image contradicts itself; context says where
    NoMemory = error_base + 12, // ENOMEM: mount-time allocation failed
};

// The domain of the library's errors: "ext2", each code named as error_name names it.
extern const base::ErrorDomain domain;

constexpr base::Error error(Errc code, const char* context)
{
    return base::Error(domain, static_cast<int>(code), context);
}
// "NotFound", "Corrupt", ...; nullptr for a code that is not the library's.
const char* error_name(int code);
// Linux errno number for an Errc code (2 for NotFound, ...), 0 for other codes.
int errno_of(int code);

// What the library reads and writes. The server implements it on a Mach device (rumpdisk),
// the tests on an image file. Sector numbers are in units of sector_size() (512..4096, a power
// of two, not above the filesystem's block size).
class BlockDevice {
public:
    virtual uint32_t sector_size() const = 0;
    virtual uint64_t sector_count() const = 0;
    virtual base::Result<void> read(uint64_t sector, uint32_t count, void* buffer) = 0;
    virtual base::Result<void> write(uint64_t sector, uint32_t count, const void* buffer) = 0;
    virtual base::Result<void> flush() = 0;

protected:
    ~BlockDevice() = default;
};

// Seconds since 1970 for inode and superblock times. Without one the library uses the
// superblock's last write time (so times never go backwards).
class Clock {
public:
    virtual uint32_t now() = 0;

protected:
    ~Clock() = default;
};

using Ino = uint32_t;
constexpr Ino root_ino = 2;
constexpr size_t max_name_length = 255;
constexpr uint16_t max_links = 65000;

// The type bits of Stat::mode, as in POSIX and on disk.
constexpr uint16_t mode_type_mask = 0170000;
constexpr uint16_t mode_fifo = 0010000;
constexpr uint16_t mode_chr = 0020000;
constexpr uint16_t mode_dir = 0040000;
constexpr uint16_t mode_blk = 0060000;
constexpr uint16_t mode_reg = 0100000;
constexpr uint16_t mode_lnk = 0120000;
constexpr uint16_t mode_sock = 0140000;
constexpr uint16_t mode_permission_mask = 07777; // what chmod changes

struct Stat {
    Ino ino;
    uint16_t mode; // type and permission bits
    uint16_t links;
    uint32_t uid, gid;
    uint64_t size;
    uint64_t blocks512; // i_blocks: space used, in 512-byte units, indirect blocks included
    uint32_t atime, mtime, ctime;
    uint32_t flags; // i_flags (EXT2_*_FL)
    uint32_t generation; // i_generation
    uint32_t rdev; // device number of a character or block special file, else 0
};

// Directory entry types, as the filetype feature stores them (EXT2_FT_*).
enum class FileType : uint8_t {
    Unknown = 0,
    Regular = 1,
    Directory = 2,
    CharDevice = 3,
    BlockDevice = 4,
    Fifo = 5,
    Socket = 6,
    Symlink = 7
};

struct DirEntry {
    Ino ino;
    FileType type; // Unknown on a filesystem without the filetype feature
    base::BoundedString<max_name_length + 1> name;
};

// One batch of readdir: count entries were written to the caller's array; pass next back to
// continue. end is true when the directory has no entry at or after next.
struct DirBatch {
    size_t count;
    uint64_t next;
    bool end;
};

struct StatFs {
    uint32_t block_size;
    uint64_t blocks, free_blocks, available_blocks; // available: free minus those reserved for root
    uint64_t inodes, free_inodes;
    uint32_t max_name_length;
    bool read_only;
};

// Owner of a new inode (the server passes the client's identity; 0/0 is root).
struct Owner {
    uint32_t uid = 0;
    uint32_t gid = 0;
};

// Where the library tells what it finds while serving: a group whose bitmap it stopped
// trusting, an undo that failed. The server prints these on its console. At most 32 notes per
// mount (then one saying further ones are not told); each sentence is under 256 bytes and only
// valid during the call.
class Notes {
public:
    virtual void note(base::StringView sentence) = 0;

protected:
    ~Notes() = default;
};

// Where the file data cache (file_cache.h) gets its memory: one chunk of chunk_bytes at a time,
// aligned to a page, or nullptr when there is none to give. The server gives pages of its
// address space (zero-filled when first touched); without one the library uses its heap.
class ChunkMemory {
public:
    static constexpr size_t chunk_bytes = 1024 * 1024;
    virtual uint8_t* allocate() = 0;
    virtual void free(uint8_t*) = 0;

protected:
    ~ChunkMemory() = default;
};

enum class MountMode { ReadWrite, ReadOnly };

// The file data cache's budget unless told otherwise (file_cache.h): 96 MiB of file pages.
constexpr size_t default_data_cache_bytes = 96 * 1024 * 1024;

struct MountOptions {
    MountMode mode = MountMode::ReadWrite;
    size_t cache_bytes = 1024 * 1024; // block cache budget; at least 16 blocks are always kept
    size_t data_cache_bytes = default_data_cache_bytes; // file data cache budget; 0: none
    ChunkMemory* chunk_memory = nullptr; // the file data cache's memory; nullptr: the heap
    Clock* clock = nullptr;
    Notes* notes = nullptr;
};

// How the file data cache went since the mount, in pages of 4 KiB.
struct FileCacheStats {
    uint64_t hits; // pages a read found valid
    uint64_t fills; // pages filled from the disk
    uint64_t evictions; // chunks dropped to make room
};

struct MemoryUse {
    size_t cache_bytes; // block buffers and their table
    size_t cached_blocks; // blocks holding data now
    size_t dirty_blocks;
    size_t metadata_bytes; // the Filesystem, the group descriptors and the inode hold table
    size_t name_table_bytes; // the name tables of big directories (name_cache.h)
    size_t data_cache_bytes; // file pages filled in the file data cache (file_cache.h)
    size_t data_cache_chunks;
};

// A piece of a file's contents in the file data cache (Filesystem::read_view): size bytes at
// data, valid until the next call on the Filesystem; file_size is the file's size.
struct DataView {
    const uint8_t* data;
    size_t size;
    uint64_t file_size;
};

// How directory lookups went since the mount, for tests and statistics.
struct DirectoryStats {
    uint64_t blocks_read; // directory blocks read (from the cache or the disk)
    uint64_t blocks_checked; // of those, checked whole: read anew, or changed by other code
    uint64_t index_lookups; // answered through a hash index
    uint64_t table_lookups; // answered through a big directory's name table
};

class Volume;

class Filesystem {
public:
    // Reads and checks the superblock and group descriptors. Refuses (Errc::Unsupported, the
    // context naming the feature) an image with an INCOMPAT feature the Linux ext2 driver does
    // not support (needs_recovery, extent, 64bit, flex_bg, inline_data, ...: all but filetype
    // and meta_bg); mounts read-only, with a note, an image with an unknown RO_COMPAT feature
    // (all but sparse_super, large_file, btree_dir). COMPAT features (has_journal, dir_index,
    // ext_attr, resize_inode) do not stop a read-write mount, as in Linux. A read-write mount
    // clears stale uninit flags and bg_itable_unused of the descriptors (meaningless without
    // uninit_bg and metadata_csum, which make it read-only). An image not cleanly unmounted or with
    // errors is mounted as Linux does, with a note. Read-write: clears the valid-state flag on disk at once and counts
    // the mount. Prints nothing. The caller owns the result; let it go after unmount().
    static base::Result<base::Own<Filesystem>> mount(BlockDevice&, const MountOptions& = {});
    // Made by mount() around the mounted state (Volume is the library's own, in volume.h).
    explicit Filesystem(base::Own<Volume>);
    ~Filesystem(); // frees memory only: it writes nothing, so call unmount() first
    Filesystem(const Filesystem&) = delete;
    Filesystem& operator=(const Filesystem&) = delete;

    // Why the mount is read-only or what it noticed ("unknown RO_COMPAT feature 0x400
    // (metadata_csum): mounted read-only", "group 2's inode bitmap overlaps its inode table:
    // mounted read-only", "1 group with an inconsistent bitmap: ..."); empty when there is
    // nothing to say.
    base::StringView mount_note() const;
    // A sentence on the last Errc::Corrupt returned, with the inode and block where they are
    // known ("directory entry with rec_len 0 (inode 12) (block 301)").
    base::StringView last_corruption() const;

    base::Result<Ino> lookup(Ino dir, base::StringView name);
    base::Result<Stat> stat(Ino);
    // Reads up to len bytes at offset; fewer at the end of the file, 0 at or beyond it. Holes
    // read as zeros. Through the file data cache (read_view); whole blocks on consecutive disk
    // blocks are read with one device read. Regular files only (IsDirectory, InvalidArgument
    // otherwise).
    base::Result<size_t> read(Ino, uint64_t offset, void* buffer, size_t len);
    // Up to len bytes at offset as they are in the file data cache, filled first where they are
    // not: never more than the rest of offset's chunk (file_cache.h), so a read that crosses a
    // chunk asks again from where the view ends; size 0 at or beyond the end of the file. data is
    // nullptr (and size 0 before the end) when the cache cannot hold them or filling them
    // failed: read() then reads them uncached (and fails only if it reaches what failed). Regular files only, as
    // read().
    base::Result<DataView> read_view(Ino, uint64_t offset, size_t len);
    // Writes len bytes at offset, extending the file (a gap becomes a hole). Whole blocks go
    // to the device at once in runs; partial blocks through the cache. On NoSpace (or another
    // error after some progress) the bytes written so far are kept and counted: a short count.
    base::Result<size_t> write(Ino, uint64_t offset, const void* buffer, size_t len);
    // Entries from the byte offset cursor (0 is the start; '.' and '..' are returned as stored).
    // A cursor stays valid across changes to the directory: it resumes at the first entry at
    // or after it. max must be at least 1.
    base::Result<DirBatch> readdir(Ino dir, uint64_t cursor, DirEntry* out, size_t max);

    // mode: the permission bits (07777); the type is implied by the call.
    base::Result<Ino> create(Ino dir, base::StringView name, uint16_t mode, Owner = {});
    base::Result<Ino> mkdir(Ino dir, base::StringView name, uint16_t mode, Owner = {});
    base::Result<Ino> symlink(Ino dir, base::StringView name, base::StringView target, Owner = {});
    // Character/block devices, fifos, sockets: mode carries the type bits; rdev is the device
    // number as Linux stores it (major << 8 | minor while both are under 256).
    base::Result<Ino> mknod(Ino dir, base::StringView name, uint16_t mode, uint32_t rdev, Owner = {});
    base::Result<void> link(Ino dir, base::StringView name, Ino target);
    base::Result<void> unlink(Ino dir, base::StringView name); // anything but a directory
    base::Result<void> rmdir(Ino dir, base::StringView name); // an empty directory
    // As POSIX rename(2): replaces an existing file, or an empty directory by a directory;
    // moving a directory fixes its '..' and both parents' link counts; refuses to move a
    // directory into itself or below itself.
    base::Result<void> rename(Ino from_dir, base::StringView from, Ino to_dir, base::StringView to);
    base::Result<size_t> readlink(Ino, char* buffer, size_t len); // no terminating zero

    base::Result<void> truncate(Ino, uint64_t size); // shrinks or extends (with a hole)
    base::Result<void> chmod(Ino, uint16_t mode); // the permission bits only
    base::Result<void> chown(Ino, uint32_t uid, uint32_t gid);
    base::Result<void> utimes(Ino, uint32_t atime, uint32_t mtime);

    // An inode the server has open (a port on it) is not freed when its last link goes: it is
    // freed at the last release(), or at unmount. Holds are counted; at most max_held inodes.
    static constexpr size_t max_held = 1024;
    base::Result<void> hold(Ino);
    base::Result<void> release(Ino);

    // Writes back every dirty block, the superblock and the group descriptors, then flushes
    // the device's cache: afterwards everything written before is on stable storage, or sync
    // fails. A write the device refused (here, at an eviction or in write()) fails the next
    // sync once, with the device's code, after every other block was written and flushed; the
    // block is not retried. Such a failure also marks the filesystem as having errors, on the
    // disk at once (the superblock's EXT2_ERROR_FS, as Linux does): e2fsck then checks it.
    base::Result<void> sync();
    // Frees the inodes still held with no link, restores the state flag found at mount (valid
    // for a filesystem that was clean, as Linux does), syncs and flushes. Afterwards every
    // call but statfs/read_only/memory_use fails with InvalidArgument.
    base::Result<void> unmount();

    // Free blocks and inodes are those of the groups whose bitmaps are trusted: never more than
    // the filesystem has.
    StatFs statfs() const;
    bool read_only() const;
    MemoryUse memory_use() const;
    DirectoryStats directory_stats() const;
    FileCacheStats file_cache_stats() const;
    // Whether the filesystem is marked as having errors (found so at mount, or since a write
    // failed), and a sentence on the last write the device refused (empty if none did).
    bool has_errors() const;
    base::StringView last_write_failure() const;

private:
    base::Own<Volume> m_volume;
};

} // namespace ext2

template<> struct base::Formatter<ext2::Errc> {
    static void format(Sink& s, const FormatSpec& spec, ext2::Errc e)
    {
        const char* name = ext2::error_name(static_cast<int>(e));
        format_string(s, spec, name ? StringView(name) : StringView("ext2 error"));
    }
};
