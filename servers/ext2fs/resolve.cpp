// dir_lookup's walk over the path.
#include "resolve.h"

#include "access.h"
#include "fs_types.h"
#include "fsclient/status.h"

namespace ext2fs {

namespace {

bool is_type(const ext2::Stat& st, uint16_t type)
{
    return (st.mode & ext2::mode_type_mask) == type;
}

// The path still to walk, in a buffer of its own: a symlink's target is spliced in front of
// what follows the link.
class PathBuffer {
public:
    static constexpr size_t capacity = FS_PATH_MAX + 1;

    bool assign(base::StringView path)
    {
        if (path.size() >= capacity)
            return false;
        __builtin_memcpy(m_text, path.data(), path.size());
        m_size = path.size();
        m_at = 0;
        return true;
    }
    // Replaces what was walked so far and the current component by target: target then the rest.
    bool splice(base::StringView target, size_t rest_from)
    {
        size_t rest = m_size - rest_from;
        size_t total = target.size() + (rest ? 1 + rest : 0);
        if (total >= capacity)
            return false;
        char tail[capacity];
        __builtin_memcpy(tail, m_text + rest_from, rest);
        __builtin_memcpy(m_text, target.data(), target.size());
        size_t n = target.size();
        if (rest) {
            m_text[n++] = '/';
            __builtin_memcpy(m_text + n, tail, rest);
            n += rest;
        }
        m_size = n;
        m_at = 0;
        return true;
    }
    void skip_slashes()
    {
        while (m_at < m_size && m_text[m_at] == '/')
            ++m_at;
    }
    bool at_end() const { return m_at == m_size; }
    bool starts_with_slash() const { return m_size > 0 && m_text[0] == '/'; }
    // The next component; at is moved past it.
    base::StringView component()
    {
        size_t from = m_at;
        while (m_at < m_size && m_text[m_at] != '/')
            ++m_at;
        return { m_text + from, m_at - from };
    }
    size_t position() const { return m_at; }
    // Whether only slashes follow the position, and whether there is at least one.
    bool only_slashes_follow(bool& trailing_slash) const
    {
        trailing_slash = false;
        for (size_t i = m_at; i < m_size; ++i) {
            if (m_text[i] != '/')
                return false;
            trailing_slash = true;
        }
        return true;
    }

private:
    char m_text[capacity];
    size_t m_size = 0;
    size_t m_at = 0;
};

} // namespace

base::Result<LookupResult> resolve(ext2::Filesystem& fs, const LookupRequest& request)
{
    static PathBuffer path; // the server is single-threaded; keeps 1 KiB off the stack
    if (!path.assign(request.path))
        return fsclient::error(FS_ENAMETOOLONG, "a path over 1023 bytes");
    const bool create = request.flags & FS_LOOKUP_CREATE;
    const bool exclusive = request.flags & FS_LOOKUP_EXCL;
    const bool nolink = request.flags & FS_LOOKUP_NOLINK;

    ext2::Ino current = request.start;
    bool must_be_directory = false;
    unsigned links_followed = 0;
    for (;;) {
        path.skip_slashes();
        if (path.at_end())
            break;
        base::StringView name = path.component();
        bool trailing_slash = false;
        bool last = path.only_slashes_follow(trailing_slash);

        ext2::Stat dir = TRY(fs.stat(current));
        if (!is_type(dir, ext2::mode_dir))
            return fsclient::error(FS_ENOTDIR, "a path component is not a directory");
        if (request.who && !access::permits(*request.who, dir, access::execute))
            return fsclient::error(FS_EACCES, "no search permission on a directory of the path");
        if (name == base::StringView(".")) {
            must_be_directory = last;
            continue;
        }
        if (name == base::StringView("..")) {
            // The root of the filesystem is the root of everything a client can reach.
            if (current != ext2::root_ino)
                current = TRY(fs.lookup(current, name));
            must_be_directory = last;
            continue;
        }

        auto found = fs.lookup(current, name);
        if (found.is_error()) {
            if (found.error().code() == static_cast<int>(ext2::Errc::NotFound) && last && create && !trailing_slash) {
                if (request.who && !access::permits(*request.who, dir, access::write | access::execute))
                    return fsclient::error(FS_EACCES, "no write permission on the directory");
                ext2::Owner owner = request.who ? access::owner_in(*request.who, dir) : ext2::Owner {};
                ext2::Ino made = TRY(fs.create(current, name, request.mode & ext2::mode_permission_mask, owner));
                return LookupResult { made, true };
            }
            return found.error();
        }
        ext2::Ino child = found.value();
        if (last && create && exclusive)
            return fsclient::error(FS_EEXIST, "the file exists");

        ext2::Stat st = TRY(fs.stat(child));
        if (is_type(st, ext2::mode_lnk) && (!last || !nolink || trailing_slash)) {
            if (++links_followed > FS_SYMLINK_MAX)
                return fsclient::error(FS_ELOOP, "too many symlinks on the path");
            char target[FS_PATH_MAX + 1];
            size_t n = TRY(fs.readlink(child, target, FS_PATH_MAX));
            if (n == 0)
                return fsclient::error(FS_ENOENT, "an empty symlink");
            if (!path.splice(base::StringView(target, n), path.position()))
                return fsclient::error(FS_ENAMETOOLONG, "a path over 1023 bytes after following a symlink");
            // A relative target goes on from the directory that holds the link.
            if (path.starts_with_slash())
                current = ext2::root_ino;
            continue;
        }
        current = child;
        must_be_directory = trailing_slash;
    }

    if (must_be_directory || (request.flags & FS_LOOKUP_DIRECTORY)) {
        ext2::Stat st = TRY(fs.stat(current));
        if (!is_type(st, ext2::mode_dir))
            return fsclient::error(FS_ENOTDIR, "not a directory");
    }
    if (create && exclusive && request.path.size() > 0)
        return fsclient::error(FS_EEXIST, "the file exists");
    return LookupResult { current, false };
}

} // namespace ext2fs
