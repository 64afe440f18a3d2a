// The permission checks of the file protocol (fs.defs): POSIX's rules over the identity a port
// carries (fs_types.h: struct fs_identity, read as the Hurd reads its idvecs). Portable, tested
// on the host.
#pragma once

#include <stdint.h>

#include "ext2/filesystem.h"
#include "fs_types.h"

namespace ext2fs::access {

// What is asked of a node: POSIX's r, w and x bits (as in the others' triplet).
constexpr unsigned read = 4;
constexpr unsigned write = 2;
constexpr unsigned execute = 1;

// An identity with counts within FS_IDS_MAX.
bool valid(const fs_identity&);
// uid 0 among its uids.
bool is_root(const fs_identity&);
bool has_uid(const fs_identity&, uint32_t uid);
bool has_gid(const fs_identity&, uint32_t gid);
// Root, or one of its uids owns the node.
bool is_owner(const fs_identity&, const ext2::Stat&);
// Whether the permission bits of st give `want` (a combination of read, write, execute): the
// owner's triplet when one of the uids owns the node, else the group's when one of the gids is
// its group, else the others'. Root passes, except that execute on anything but a directory
// needs at least one x bit.
bool permits(const fs_identity&, const ext2::Stat&, unsigned want);
// Removing (unlink, rmdir, rename away or over) victim from dir, once dir's w and x are granted:
// in a sticky directory (S_ISVTX) only root, the directory's owner or the victim's may.
bool may_remove(const fs_identity&, const ext2::Stat& dir, const ext2::Stat& victim);
// Whether a port carrying `from` may make a port carrying `to` (io_restrict_auth): root may
// give any identity; any other only uids it has and gids it has.
bool may_become(const fs_identity& from, const fs_identity& to);
// Owner and group of what the identity creates in dir: its first uid and gid (FS_ID_NOBODY
// without), the directory's group when the directory is set-group-ID (S_ISGID).
ext2::Owner owner_in(const fs_identity&, const ext2::Stat& dir);

// The identity of root alone: uid 0, gid 0.
fs_identity root_identity();

} // namespace ext2fs::access
