// POSIX's permission checks over a port's identity.
#include "access.h"

namespace ext2fs::access {

namespace {
constexpr uint16_t set_gid = 02000;
constexpr uint16_t sticky = 01000;
} // namespace

bool valid(const fs_identity& id)
{
    return id.uid_count <= FS_IDS_MAX && id.gid_count <= FS_IDS_MAX;
}

bool has_uid(const fs_identity& id, uint32_t uid)
{
    for (uint32_t i = 0; i < id.uid_count && i < FS_IDS_MAX; ++i)
        if (id.uids[i] == uid)
            return true;
    return false;
}

bool has_gid(const fs_identity& id, uint32_t gid)
{
    for (uint32_t i = 0; i < id.gid_count && i < FS_IDS_MAX; ++i)
        if (id.gids[i] == gid)
            return true;
    return false;
}

bool is_root(const fs_identity& id)
{
    return has_uid(id, 0);
}

bool is_owner(const fs_identity& id, const ext2::Stat& st)
{
    return is_root(id) || has_uid(id, st.uid);
}

bool permits(const fs_identity& id, const ext2::Stat& st, unsigned want)
{
    want &= 7;
    if (is_root(id)) {
        bool directory = (st.mode & ext2::mode_type_mask) == ext2::mode_dir;
        return !(want & execute) || directory || (st.mode & 0111);
    }
    unsigned bits = 0;
    if (has_uid(id, st.uid))
        bits = (st.mode >> 6) & 7;
    else if (has_gid(id, st.gid))
        bits = (st.mode >> 3) & 7;
    else
        bits = st.mode & 7;
    return (bits & want) == want;
}

bool may_remove(const fs_identity& id, const ext2::Stat& dir, const ext2::Stat& victim)
{
    if (!(dir.mode & sticky))
        return true;
    return is_root(id) || has_uid(id, dir.uid) || has_uid(id, victim.uid);
}

bool may_become(const fs_identity& from, const fs_identity& to)
{
    if (!valid(to))
        return false;
    if (is_root(from))
        return true;
    for (uint32_t i = 0; i < to.uid_count; ++i)
        if (!has_uid(from, to.uids[i]))
            return false;
    for (uint32_t i = 0; i < to.gid_count; ++i)
        if (!has_gid(from, to.gids[i]))
            return false;
    return true;
}

ext2::Owner owner_in(const fs_identity& id, const ext2::Stat& dir)
{
    ext2::Owner owner;
    owner.uid = id.uid_count > 0 ? id.uids[0] : FS_ID_NOBODY;
    owner.gid = id.gid_count > 0 ? id.gids[0] : FS_ID_NOBODY;
    if (dir.mode & set_gid)
        owner.gid = dir.gid;
    return owner;
}

fs_identity root_identity()
{
    fs_identity id {};
    id.uid_count = 1;
    id.gid_count = 1;
    return id;
}

} // namespace ext2fs::access
