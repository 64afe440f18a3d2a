// Path resolution for dir_lookup, over the ext2 library: components one by one from a start
// directory, '..' stopping at the root, symlinks followed (relative ones from the directory
// that holds them, absolute ones from the filesystem's root; at most FS_SYMLINK_MAX of them),
// and a missing last component created when asked. Portable, tested on the host on images.
#pragma once

#include <stdint.h>

#include "base/result.h"
#include "base/string_view.h"
#include "ext2/filesystem.h"
#include "fs_types.h"

namespace ext2fs {

struct LookupRequest {
    ext2::Ino start;
    base::StringView path; // at most FS_PATH_MAX bytes; '/' at the start is skipped
    uint32_t flags; // FS_LOOKUP_CREATE, FS_LOOKUP_EXCL, FS_LOOKUP_NOLINK, FS_LOOKUP_DIRECTORY
    uint16_t mode; // permission bits of a created file
    // Whose lookup it is: search (x) is needed on every directory walked, write (w) on the one
    // a file is created in, which the identity then owns (access::owner_in). Null: no checks,
    // root owns what is created.
    const fs_identity* who = nullptr;
};

struct LookupResult {
    ext2::Ino ino;
    bool created;
};

// Errors are the library's codes, or FS_ELOOP / FS_ENAMETOOLONG / FS_ENOTDIR / FS_EACCES of
// fs_types.h.
base::Result<LookupResult> resolve(ext2::Filesystem&, const LookupRequest&);

} // namespace ext2fs
