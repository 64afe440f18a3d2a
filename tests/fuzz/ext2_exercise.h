// What the ext2 fuzzers do with an image: mount it read-write on the bytes given, read every
// reachable file, directory and link (in bounded amounts, the walk bounded against loops), make a
// few changes in each directory, sync and unmount; or the same read-only. The library must never
// crash, hang, or touch the device outside its bounds; errors are fine.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ext2/filesystem.h"

namespace ext2_fuzz {

class MemoryDevice final : public ext2::BlockDevice {
public:
    MemoryDevice(uint8_t* data, size_t size)
        : m_data(data)
        , m_sectors(size / 512)
    {
    }
    uint32_t sector_size() const override { return 512; }
    uint64_t sector_count() const override { return m_sectors; }
    base::Result<void> read(uint64_t sector, uint32_t count, void* buffer) override
    {
        check(sector, count);
        memcpy(buffer, m_data + sector * 512, size_t(count) * 512);
        return {};
    }
    base::Result<void> write(uint64_t sector, uint32_t count, const void* buffer) override
    {
        check(sector, count);
        memcpy(m_data + sector * 512, buffer, size_t(count) * 512);
        return {};
    }
    base::Result<void> flush() override { return {}; }

private:
    void check(uint64_t sector, uint32_t count) const
    {
        if (count == 0 || sector >= m_sectors || count > m_sectors - sector)
            __builtin_trap(); // the library promises to stay inside the device
    }
    uint8_t* m_data;
    uint64_t m_sectors;
};

constexpr size_t max_nodes = 256;
constexpr int max_depth = 24;

struct Walker {
    Walker(ext2::Filesystem& f, bool c)
        : fs(f)
        , change(c)
    {
    }

    ext2::Filesystem& fs;
    bool change;
    ext2::Ino seen[max_nodes];
    size_t seen_count = 0;
    uint8_t buffer[16384];

    bool visit(ext2::Ino ino)
    {
        for (size_t i = 0; i < seen_count; ++i)
            if (seen[i] == ino)
                return false;
        if (seen_count == max_nodes)
            return false;
        seen[seen_count++] = ino;
        return true;
    }

    void read_file(ext2::Ino ino, uint64_t size)
    {
        (void)fs.read(ino, 0, buffer, sizeof buffer);
        if (size > sizeof buffer)
            (void)fs.read(ino, size - 100, buffer, sizeof buffer);
        (void)fs.read(ino, size / 2, buffer, 3000);
        if (change) {
            (void)fs.write(ino, size / 3, "fuzz", 4);
            (void)fs.write(ino, size + 5000, buffer, 2500);
            (void)fs.truncate(ino, size / 2);
        }
    }

    void walk(ext2::Ino dir, int depth)
    {
        if (depth > max_depth || !visit(dir))
            return;
        ext2::DirEntry entries[8];
        uint64_t cursor = 0;
        ext2::Ino first_file = 0, first_dir = 0;
        for (int batches = 0; batches < 64; ++batches) {
            auto r = fs.readdir(dir, cursor, entries, 8);
            if (r.is_error())
                break;
            const ext2::DirBatch& b = r.value();
            for (size_t i = 0; i < b.count; ++i) {
                base::StringView name = entries[i].name.view();
                if (name == base::StringView(".") || name == base::StringView(".."))
                    continue;
                auto ino = fs.lookup(dir, name);
                if (ino.is_error())
                    continue;
                auto st = fs.stat(ino.value());
                if (st.is_error())
                    continue;
                uint16_t type = st.value().mode & ext2::mode_type_mask;
                if (type == ext2::mode_dir) {
                    first_dir = first_dir ? first_dir : ino.value();
                    walk(ino.value(), depth + 1);
                } else if (type == ext2::mode_reg) {
                    first_file = first_file ? first_file : ino.value();
                    if (visit(ino.value()))
                        read_file(ino.value(), st.value().size);
                } else if (type == ext2::mode_lnk) {
                    char target[4096];
                    (void)fs.readlink(ino.value(), target, sizeof target);
                }
            }
            if (b.end)
                break;
            if (b.next <= cursor)
                __builtin_trap(); // readdir must move on
            cursor = b.next;
        }
        if (!change)
            return;
        // A few changes in this directory.
        auto made = fs.create(dir, "fuzz-new", 0644);
        if (!made.is_error())
            (void)fs.write(made.value(), 0, buffer, 1500);
        auto sub = fs.mkdir(dir, "fuzz-dir", 0755);
        (void)fs.symlink(dir, "fuzz-link", "a-target-long-enough-not-to-fit-in-the-inode-itself-0123456789");
        if (first_file) {
            (void)fs.link(dir, "fuzz-hard", first_file);
            (void)fs.rename(dir, "fuzz-hard", dir, "fuzz-renamed");
            (void)fs.unlink(dir, "fuzz-renamed");
        }
        if (!sub.is_error() && first_dir)
            (void)fs.rename(dir, "fuzz-dir", first_dir, "moved-here");
        if (first_dir)
            (void)fs.rename(first_dir, "moved-here", dir, "fuzz-back");
        (void)fs.rmdir(dir, "fuzz-back");
        (void)fs.unlink(dir, "fuzz-new");
    }
};

inline void exercise(uint8_t* image, size_t size, bool change)
{
    MemoryDevice device(image, size);
    ext2::MountOptions options;
    options.mode = change ? ext2::MountMode::ReadWrite : ext2::MountMode::ReadOnly;
    options.cache_bytes = 32 * 1024; // small, so that eviction and write-back run too
    auto mounted = ext2::Filesystem::mount(device, options);
    if (mounted.is_error())
        return;
    base::Own<ext2::Filesystem> fs = mounted.release_value();
    (void)fs->mount_note();
    (void)fs->statfs();
    Walker walker(*fs, change);
    walker.walk(ext2::root_ino, 0);
    (void)fs->sync();
    (void)fs->unmount();
}

} // namespace ext2_fuzz
