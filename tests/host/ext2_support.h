// Helpers of the ext2 library's host tests: an image file as a BlockDevice, temporary
// folders, e2fsprogs (mke2fs, debugfs, e2fsck) run as commands, and path walks through the
// library. The tests need e2fsprogs: a missing tool is a failure that says so, never a skip.
#pragma once

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ext2/filesystem.h"

namespace ext2_test {

namespace fs = std::filesystem;

// An image file as a BlockDevice, counting its transfers.
class FileDevice final : public ext2::BlockDevice {
public:
    explicit FileDevice(const std::string& path, uint32_t sector_size = 512, bool writable = true)
        : m_sector_size(sector_size)
    {
        m_fd = ::open(path.c_str(), writable ? O_RDWR : O_RDONLY);
        if (m_fd >= 0) {
            struct stat st;
            ::fstat(m_fd, &st);
            m_sectors = static_cast<uint64_t>(st.st_size) / sector_size;
        }
    }
    ~FileDevice()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    bool ok() const { return m_fd >= 0; }

    uint32_t sector_size() const override { return m_sector_size; }
    uint64_t sector_count() const override { return m_sectors; }
    base::Result<void> read(uint64_t sector, uint32_t count, void* buffer) override
    {
        ++reads;
        sectors_read += count;
        if (sector + count > m_sectors || sector + count < sector)
            return base::Error(2500, "read beyond the device");
        size_t bytes = size_t(count) * m_sector_size;
        if (::pread(m_fd, buffer, bytes, off_t(sector * m_sector_size)) != ssize_t(bytes))
            return base::Error(2500, "short read");
        return {};
    }
    base::Result<void> write(uint64_t sector, uint32_t count, const void* buffer) override
    {
        ++writes;
        if (fail_writes)
            return base::Error(2500, "write refused by the test");
        if (fail_count && sector < fail_first + fail_count && sector + count > fail_first) {
            ++failed_writes;
            return base::Error(2500, "write refused by the test (a failing sector range)");
        }
        if (sector + count > m_sectors || sector + count < sector)
            return base::Error(2500, "write beyond the device");
        size_t bytes = size_t(count) * m_sector_size;
        if (::pwrite(m_fd, buffer, bytes, off_t(sector * m_sector_size)) != ssize_t(bytes))
            return base::Error(2500, "short write");
        return {};
    }
    base::Result<void> flush() override
    {
        ++flushes;
        return {};
    }

    uint64_t reads = 0, sectors_read = 0, writes = 0, flushes = 0, failed_writes = 0;
    bool fail_writes = false;
    // Writes that touch any of these sectors fail, as a disk's bad sectors would.
    uint64_t fail_first = 0, fail_count = 0;

private:
    int m_fd = -1;
    uint32_t m_sector_size;
    uint64_t m_sectors = 0;
};

struct Command {
    int status;
    std::string output;
};

// Runs a shell command, stdout and stderr together.
inline Command run(const std::string& command)
{
    Command c { -1, {} };
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    if (!p)
        return c;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, p)) > 0)
        c.output.append(buffer, n);
    int status = ::pclose(p);
    c.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return c;
}

inline std::string quote(const std::string& s)
{
    std::string q = "'";
    for (char c : s) {
        if (c == '\'')
            q += "'\\''";
        else
            q += c;
    }
    return q + "'";
}

// Where e2fsprogs is, or an empty string with a reason in why.
inline std::string tool(const char* name)
{
    for (const char* dir : { "/sbin/", "/usr/sbin/", "/usr/bin/", "/bin/" }) {
        std::string path = std::string(dir) + name;
        if (::access(path.c_str(), X_OK) == 0)
            return path;
    }
    return {};
}

// Fails the calling test when e2fsprogs is missing.
#define REQUIRE_E2FSPROGS()                                                                                            \
    do {                                                                                                               \
        for (const char* t : { "mke2fs", "debugfs", "e2fsck" })                                                        \
            ASSERT_FALSE(::ext2_test::tool(t).empty())                                                                 \
                << t << " is missing: the ext2 tests need e2fsprogs (apt-get install e2fsprogs)";                      \
    } while (0)

// A temporary folder, removed with everything in it.
class TempDir {
public:
    TempDir()
    {
        std::string pattern = (fs::temp_directory_path() / "ext2-test-XXXXXX").string();
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back(0);
        if (::mkdtemp(buffer.data()))
            m_path = buffer.data();
    }
    ~TempDir()
    {
        std::error_code ec;
        if (!m_path.empty() && !getenv("EXT2_TEST_KEEP"))
            fs::remove_all(m_path, ec);
    }
    const fs::path& path() const { return m_path; }
    fs::path operator/(const std::string& name) const { return m_path / name; }

private:
    fs::path m_path;
};

inline void write_file(const fs::path& path, const std::string& contents)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << contents;
}

inline std::string read_host_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Bytes that differ from file to file and from offset to offset.
inline std::string pattern(size_t size, uint32_t seed)
{
    std::string s(size, 0);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < size; ++i) {
        x = x * 1103515245u + 12345u;
        s[i] = static_cast<char>(x >> 16);
    }
    return s;
}

// mke2fs -q -F -t ext2 -b BLOCK [-d TREE] [OPTIONS] IMAGE SIZE_KIB
inline Command make_image(const fs::path& image, uint32_t block_size, uint64_t size_kib,
    const std::string& options = "", const fs::path& tree = {})
{
    std::string cmd = tool("mke2fs") + " -q -F -t ext2 -b " + std::to_string(block_size) + " " + options;
    if (!tree.empty())
        cmd += " -d " + quote(tree.string());
    cmd += " " + quote(image.string()) + " " + std::to_string(size_kib) + "k";
    return run(cmd);
}

inline Command fsck(const fs::path& image)
{
    return run(tool("e2fsck") + " -fn " + quote(image.string()));
}

inline Command debugfs(const fs::path& image, const std::string& request)
{
    return run(tool("debugfs") + " -R " + quote(request) + " " + quote(image.string()));
}

// Error text for test messages: the name of an ext2 code, or the code.
inline std::string describe(const base::Error& e)
{
    std::string s;
    if (const char* name = ext2::error_name(e.code()))
        s = name;
    else
        s = "code " + std::to_string(e.code());
    if (e.context())
        s += std::string(": ") + e.context();
    return s;
}

// Unwraps a Result in a test, failing it with the error's description.
#define EXT2_OK(expression)                                                                                            \
    ({                                                                                                                 \
        auto _r = (expression);                                                                                        \
        if (_r.is_error())                                                                                             \
            ADD_FAILURE() << #expression << " failed: " << ::ext2_test::describe(_r.error());                          \
        EXPECT_FALSE(_r.is_error());                                                                                   \
        _r.release_value();                                                                                            \
    })

// The Errc a Result failed with (or -1 when it did not fail).
template<typename T> int error_of(const base::Result<T>& r)
{
    return r.is_error() ? r.error().code() : -1;
}
constexpr int code(ext2::Errc e)
{
    return static_cast<int>(e);
}

// A mounted image, unmounted (if still mounted) and freed at the end.
class Mounted {
public:
    explicit Mounted(const fs::path& image, ext2::MountOptions options = {}, uint32_t sector_size = 512)
        : device(image.string(), sector_size, options.mode == ext2::MountMode::ReadWrite)
    {
        auto r = ext2::Filesystem::mount(device, options);
        if (r.is_error())
            m_error = r.error();
        else
            m_fs = r.release_value();
    }
    bool ok() const { return bool(m_fs); }
    base::Error error() const { return m_error; }
    ext2::Filesystem* operator->() { return m_fs.get(); }
    ext2::Filesystem& operator*() { return *m_fs; }

    FileDevice device;

private:
    base::Own<ext2::Filesystem> m_fs;
    base::Error m_error { 0 };
};

// Splits "/a/b/c" and looks each part up (no symbolic links followed).
inline base::Result<ext2::Ino> resolve(ext2::Filesystem& f, const std::string& path)
{
    ext2::Ino ino = ext2::root_ino;
    size_t at = 0;
    while (at < path.size()) {
        size_t slash = path.find('/', at);
        if (slash == std::string::npos)
            slash = path.size();
        if (slash > at)
            ino = TRY(f.lookup(ino, base::StringView(path.data() + at, slash - at)));
        at = slash + 1;
    }
    return ino;
}

inline std::string read_all(ext2::Filesystem& f, ext2::Ino ino)
{
    auto st = f.stat(ino);
    if (st.is_error())
        return "<stat failed: " + describe(st.error()) + ">";
    std::string s(st.value().size, 0);
    auto n = f.read(ino, 0, s.data(), s.size());
    if (n.is_error())
        return "<read failed: " + describe(n.error()) + ">";
    s.resize(n.value());
    return s;
}

struct Listed {
    std::string name;
    ext2::Ino ino;
    ext2::FileType type;
};

// Every entry of a directory, '.' and '..' included, in small batches to exercise the cursor.
inline std::vector<Listed> list(ext2::Filesystem& f, ext2::Ino dir, base::Error* failure = nullptr)
{
    std::vector<Listed> out;
    uint64_t cursor = 0;
    ext2::DirEntry batch[3];
    for (int guard = 0; guard < 1000000; ++guard) {
        auto r = f.readdir(dir, cursor, batch, 3);
        if (r.is_error()) {
            if (failure)
                *failure = r.error();
            else
                ADD_FAILURE() << "readdir of inode " << dir << ": " << describe(r.error());
            break;
        }
        for (size_t i = 0; i < r.value().count; ++i)
            out.push_back({ std::string(batch[i].name.c_str()), batch[i].ino, batch[i].type });
        if (r.value().end)
            break;
        cursor = r.value().next;
    }
    return out;
}

} // namespace ext2_test
