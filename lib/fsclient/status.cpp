// Names of the file protocol's error codes.
#include "fsclient/status.h"

namespace fsclient {

namespace {
constexpr base::CodeText entries[] = {
    { FS_EPERM, "FS_EPERM", "operation not permitted" },
    { FS_ENOENT, "FS_ENOENT", "no such file or directory" },
    { FS_EIO, "FS_EIO", "input/output error" },
    { FS_EBADF, "FS_EBADF", "port not opened for that" },
    { FS_ENOMEM, "FS_ENOMEM", "out of memory" },
    { FS_EACCES, "FS_EACCES", "permission denied" },
    { FS_EBUSY, "FS_EBUSY", "busy" },
    { FS_EEXIST, "FS_EEXIST", "file exists" },
    { FS_EXDEV, "FS_EXDEV", "not a node of this filesystem" },
    { FS_ENOTDIR, "FS_ENOTDIR", "not a directory" },
    { FS_EISDIR, "FS_EISDIR", "is a directory" },
    { FS_EINVAL, "FS_EINVAL", "invalid argument" },
    { FS_ENFILE, "FS_ENFILE", "too many open nodes in the server" },
    { FS_EFBIG, "FS_EFBIG", "file too large" },
    { FS_ENOSPC, "FS_ENOSPC", "no space left on device" },
    { FS_ESPIPE, "FS_ESPIPE", "invalid seek" },
    { FS_EROFS, "FS_EROFS", "read-only filesystem" },
    { FS_EMLINK, "FS_EMLINK", "too many links" },
    { FS_ENAMETOOLONG, "FS_ENAMETOOLONG", "name too long" },
    { FS_ENOTEMPTY, "FS_ENOTEMPTY", "directory not empty" },
    { FS_ELOOP, "FS_ELOOP", "too many levels of symbolic links" },
    { FS_EOPNOTSUPP, "FS_EOPNOTSUPP", "operation not supported" },
    { FS_ESTALE, "FS_ESTALE", "stale node" },
    { FS_EUCLEAN, "FS_EUCLEAN", "filesystem corrupt there" },
};

} // namespace

const char* error_name(int code)
{
    const base::CodeText* e = base::find_code(entries, code);
    return e ? e->name : nullptr;
}

const char* error_text(int code)
{
    const base::CodeText* e = base::find_code(entries, code);
    return e ? e->sentence : nullptr;
}

constexpr base::ErrorDomain domain { "fs", error_name, error_text };

} // namespace fsclient
