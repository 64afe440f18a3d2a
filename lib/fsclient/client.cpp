// The file protocol's client: fs.defs's stubs behind Node's calls, with the protocol's bounds
// checked before a request leaves (MIG would cut a long name short, silently).
#include "fsclient/client.h"

extern "C" {
#include "fs_U.h"
#include "fsys_U.h"
}

namespace fsclient {

namespace {

// A string argument as the stubs want it: zero-terminated, within the protocol's bound.
template<size_t N> struct CString {
    char text[N];
};

template<size_t N> base::Result<CString<N>> c_string(base::StringView s, const char* what)
{
    CString<N> out;
    if (s.size() >= N)
        return fsclient::error(FS_ENAMETOOLONG, what);
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == 0)
            return fsclient::error(FS_EINVAL, what);
        out.text[i] = s[i];
    }
    out.text[s.size()] = 0;
    return out;
}

base::Result<void> check(kern_return_t r, const char* what)
{
    if (r != KERN_SUCCESS)
        return reply_error(r, what);
    return {};
}

void release_memory(void* data, size_t size)
{
    if (data && size)
        vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(data), size);
}

} // namespace

Region& Region::operator=(Region&& o)
{
    if (this != &o) {
        reset();
        m_data = o.m_data;
        m_size = o.m_size;
        m_mapped = o.m_mapped;
        o.m_data = nullptr;
        o.m_size = o.m_mapped = 0;
    }
    return *this;
}

void Region::reset()
{
    release_memory(m_data, m_mapped);
    m_data = nullptr;
    m_size = m_mapped = 0;
}

base::Result<Region> Region::allocate(size_t size)
{
    Region r;
    if (size == 0)
        return r;
    vm_address_t address = 0;
    MACH_TRY(vm_allocate(mach_task_self(), &address, size, TRUE), "allocating memory for file data");
    r.m_data = reinterpret_cast<uint8_t*>(address);
    r.m_size = r.m_mapped = size;
    return r;
}

base::Result<Node> Node::lookup(base::StringView path, int flags, int mode) const
{
    auto name = TRY(c_string<FS_PATH_MAX + 1>(path, "dir_lookup"));
    mach_port_t result = MACH_PORT_NULL;
    TRY(check(dir_lookup(port(), name.text, flags, mode, &result), "dir_lookup"));
    return Node::adopt(result);
}

base::Result<Node> Node::create(base::StringView path, int mode) const
{
    return lookup(path, FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_CREATE | FS_LOOKUP_EXCL, mode);
}

base::Result<Region> Node::read_region(int64_t offset, size_t amount) const
{
    if (amount > FS_IO_MAX)
        amount = FS_IO_MAX;
    char inline_buffer[2048];
    char* data = inline_buffer;
    mach_msg_type_number_t count = sizeof inline_buffer;
    TRY(check(io_read(port(), &data, &count, offset, amount), "io_read"));
    if (data != inline_buffer) {
        // Out of line: the memory is ours, page-rounded.
        Region r;
        r.m_data = reinterpret_cast<uint8_t*>(data);
        r.m_size = count;
        r.m_mapped = count;
        return r;
    }
    Region r = TRY(Region::allocate(count));
    __builtin_memcpy(r.data(), inline_buffer, count);
    return r;
}

base::Result<size_t> Node::read(uint64_t offset, void* buffer, size_t len) const
{
    auto* out = static_cast<uint8_t*>(buffer);
    size_t done = 0;
    while (done < len) {
        size_t want = len - done < FS_IO_MAX ? len - done : FS_IO_MAX;
        char* data = reinterpret_cast<char*>(out + done);
        mach_msg_type_number_t count = static_cast<mach_msg_type_number_t>(want);
        TRY(check(io_read(port(), &data, &count, static_cast<int64_t>(offset + done), want), "io_read"));
        if (data != reinterpret_cast<char*>(out + done)) {
            size_t n = count < want ? count : want;
            __builtin_memcpy(out + done, data, n);
            release_memory(data, count);
            count = static_cast<mach_msg_type_number_t>(n);
        }
        done += count;
        if (count < want)
            break;
    }
    return done;
}

base::Result<Region> Node::read_all(size_t max) const
{
    Stat st = TRY(stat());
    if (st.size > max)
        return fsclient::error(FS_EFBIG, "reading a whole file");
    Region r = TRY(Region::allocate(st.size));
    size_t n = TRY(read(0, r.data(), st.size));
    r.m_size = n;
    return r;
}

base::Result<size_t> Node::write(int64_t offset, const void* data, size_t len) const
{
    const auto* in = static_cast<const char*>(data);
    size_t done = 0;
    while (done < len) {
        size_t piece = len - done < FS_IO_MAX ? len - done : FS_IO_MAX;
        vm_size_t written = 0;
        int64_t at = offset == FS_OFFSET_CURRENT ? FS_OFFSET_CURRENT : offset + static_cast<int64_t>(done);
        TRY(check(io_write(port(), in + done, static_cast<mach_msg_type_number_t>(piece), at, &written), "io_write"));
        done += written;
        if (written < piece)
            break;
    }
    return done;
}

base::Result<int64_t> Node::seek(int64_t offset, int whence) const
{
    int64_t position = 0;
    TRY(check(io_seek(port(), offset, whence, &position), "io_seek"));
    return position;
}

base::Result<Stat> Node::stat() const
{
    Stat st {};
    TRY(check(io_stat(port(), &st), "io_stat"));
    return st;
}

base::Result<StatFs> Node::statfs() const
{
    StatFs st {};
    TRY(check(file_statfs(port(), &st), "file_statfs"));
    return st;
}

base::Result<ServerStats> Node::server_stats() const
{
    ServerStats st {};
    TRY(check(fs_server_stats(port(), &st), "fs_server_stats"));
    return st;
}

base::Result<void> Node::mkdir(base::StringView name, int mode) const
{
    auto n = TRY(c_string<FS_NAME_MAX + 1>(name, "dir_mkdir"));
    return check(dir_mkdir(port(), n.text, mode), "dir_mkdir");
}

base::Result<void> Node::rmdir(base::StringView name) const
{
    auto n = TRY(c_string<FS_NAME_MAX + 1>(name, "dir_rmdir"));
    return check(dir_rmdir(port(), n.text), "dir_rmdir");
}

base::Result<void> Node::unlink(base::StringView name) const
{
    auto n = TRY(c_string<FS_NAME_MAX + 1>(name, "dir_unlink"));
    return check(dir_unlink(port(), n.text), "dir_unlink");
}

base::Result<void> Node::symlink(base::StringView name, base::StringView target) const
{
    auto n = TRY(c_string<FS_NAME_MAX + 1>(name, "dir_symlink"));
    auto t = TRY(c_string<FS_PATH_MAX + 1>(target, "dir_symlink"));
    return check(dir_symlink(port(), n.text, t.text), "dir_symlink");
}

base::Result<void> Node::link(const Node& file, base::StringView name, bool replace) const
{
    auto n = TRY(c_string<FS_NAME_MAX + 1>(name, "dir_link"));
    return check(dir_link(port(), file.port(), n.text, replace ? 0 : 1), "dir_link");
}

base::Result<void> Node::rename(base::StringView from, const Node& to_dir, base::StringView to, bool replace) const
{
    auto f = TRY(c_string<FS_NAME_MAX + 1>(from, "dir_rename"));
    auto t = TRY(c_string<FS_NAME_MAX + 1>(to, "dir_rename"));
    return check(dir_rename(port(), f.text, to_dir.port(), t.text, replace ? 0 : 1), "dir_rename");
}

base::Result<size_t> Node::readdir_batch(
    int64_t cursor, int max_entries, char (&buffer)[FS_READDIR_MAX], int64_t& next, int& count) const
{
    char* data = buffer;
    mach_msg_type_number_t size = sizeof buffer;
    TRY(check(dir_readdir(port(), &data, &size, cursor, max_entries, &next, &count), "dir_readdir"));
    if (data != buffer) {
        // The server keeps batches in-line; take an out-of-line one all the same.
        size_t n = size < sizeof buffer ? size : sizeof buffer;
        __builtin_memcpy(buffer, data, n);
        release_memory(data, size);
        if (n < size)
            return fsclient::error(FS_EIO, "a dir_readdir reply over FS_READDIR_MAX");
    }
    return static_cast<size_t>(size);
}

base::Result<size_t> Node::readlink(char* buffer, size_t len) const
{
    fs_path_t target;
    TRY(check(file_readlink(port(), target), "file_readlink"));
    size_t n = 0;
    while (n < FS_PATH_MAX && target[n])
        ++n;
    if (n > len)
        return fsclient::error(FS_ENAMETOOLONG, "file_readlink: the buffer is too small");
    __builtin_memcpy(buffer, target, n);
    return n;
}

base::Result<void> Node::truncate(uint64_t size) const
{
    return check(file_set_size(port(), static_cast<int64_t>(size)), "file_set_size");
}

base::Result<void> Node::chmod(uint32_t mode) const
{
    return check(file_chmod(port(), static_cast<int>(mode)), "file_chmod");
}

base::Result<void> Node::chown(uint32_t uid, uint32_t gid) const
{
    return check(file_chown(port(), uid, gid), "file_chown");
}

base::Result<void> Node::utimes(int64_t atime, int64_t mtime) const
{
    return check(file_utimes(port(), atime, mtime), "file_utimes");
}

base::Result<void> Node::sync() const
{
    return check(file_syncfs(port(), 1, 0), "file_syncfs");
}

base::Result<runtime::SendRight> Node::control() const
{
    mach_port_t control = MACH_PORT_NULL;
    TRY(check(file_getcontrol(port(), &control), "file_getcontrol"));
    return runtime::SendRight::adopt(control);
}

base::Result<Node> Node::restrict_auth(const fs_identity& identity) const
{
    mach_port_t result = MACH_PORT_NULL;
    TRY(check(io_restrict_auth(port(), identity, &result), "io_restrict_auth"));
    return Node::adopt(result);
}

base::Result<Node> Node::restrict_auth_as(const Node& model) const
{
    mach_port_t result = MACH_PORT_NULL;
    TRY(check(io_restrict_auth_as(port(), model.port(), &result), "io_restrict_auth_as"));
    return Node::adopt(result);
}

base::Result<fs_identity> Node::auth() const
{
    fs_identity identity {};
    TRY(check(io_get_auth(port(), &identity), "io_get_auth"));
    return identity;
}

fs_identity identity_of(uint32_t uid, uint32_t gid)
{
    fs_identity identity {};
    identity.uid_count = 1;
    identity.gid_count = 1;
    identity.uids[0] = uid;
    identity.gids[0] = gid;
    return identity;
}

base::Result<Node> root_from(mach_port_t control, int flags, const fs_identity& identity)
{
    if (identity.uid_count > FS_IDS_MAX || identity.gid_count > FS_IDS_MAX)
        return fsclient::error(FS_EINVAL, "more ids than FS_IDS_MAX");
    retry_type retry = 0;
    string_t retry_name;
    mach_port_t root = MACH_PORT_NULL;
    TRY(check(fsys_getroot(control, MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND, const_cast<uint32_t*>(identity.uids),
                  identity.uid_count, const_cast<uint32_t*>(identity.gids), identity.gid_count, flags, &retry,
                  retry_name, &root),
        "fsys_getroot"));
    if (retry != FSYS_RETRY_NORMAL || retry_name[0]) {
        if (MACH_PORT_VALID(root))
            mach_port_deallocate(mach_task_self(), root);
        return fsclient::error(FS_EOPNOTSUPP, "fsys_getroot asked for a retry");
    }
    return Node::adopt(root);
}

base::Result<void> sync_filesystem(mach_port_t control)
{
    return check(fsys_syncfs(control, 1, 0), "fsys_syncfs");
}

base::Result<void> filesystem_go_away(mach_port_t control)
{
    return check(fsys_goaway(control, 0), "fsys_goaway");
}

base::Result<void> set_filesystem_options(mach_port_t control, base::StringView words)
{
    if (words.size() > FSYS_OPTIONS_MAX)
        return base::Error(FS_EINVAL, "fsys_set_options");
    return check(fsys_set_options(control, words.data(), static_cast<mach_msg_type_number_t>(words.size()), 0),
        "fsys_set_options");
}

base::Result<size_t> filesystem_options(mach_port_t control, char (&words)[FSYS_OPTIONS_MAX])
{
    mach_msg_type_number_t count = FSYS_OPTIONS_MAX;
    TRY(check(fsys_get_options(control, words, &count), "fsys_get_options"));
    return count < FSYS_OPTIONS_MAX ? count : FSYS_OPTIONS_MAX;
}

} // namespace fsclient
