// The protocol's codes for the errors of the ext2 library, the disk and Mach, and the
// console's word on corruption and failed writes.
#include "fsclient/status.h"
#include "handler_support.h"
#include "node_server.h"
#include "runtime/console.h"

namespace ext2fs {

namespace {
constexpr unsigned max_corruptions_told = 32;
} // namespace

int protocol_code(const base::Error& e)
{
    if (e.is(ext2::domain)) {
        int n = ext2::errno_of(e.code());
        return n ? FS_ERROR_BASE + n : FS_EIO;
    }
    if (e.is(fsclient::domain))
        return e.code();
    switch (e.code()) {
    case D_NO_MEMORY:
    case KERN_RESOURCE_SHORTAGE:
    case KERN_NO_SPACE:
        return FS_ENOMEM;
    case D_READ_ONLY:
        return FS_EROFS;
    default:
        return FS_EIO;
    }
}

kern_return_t NodeServer::reply_error(const base::Error& e, const char* operation)
{
    int code = protocol_code(e);
    bool corrupt = e.is(ext2::domain) && e.code() == static_cast<int>(ext2::Errc::Corrupt);
    bool disk = !e.is(ext2::domain) && !e.is(fsclient::domain);
    if ((corrupt || disk) && m_corruptions_told < max_corruptions_told) {
        ++m_corruptions_told;
        if (corrupt && m_fs && !m_fs->last_corruption().empty())
            runtime::report("{}: the filesystem is corrupt: {}", operation, m_fs->last_corruption());
        else if (corrupt)
            runtime::report("{}: the filesystem is corrupt: {}", operation, e.context() ? e.context() : "");
        else
            runtime::report("{}: disk error: {}", operation, e);
        if (m_corruptions_told == max_corruptions_told)
            runtime::report("(further corruption and disk errors are not told)");
    }
    // The first write the disk refused marked the filesystem as having errors: said once.
    if (disk && !m_errors_told && m_fs && m_fs->has_errors() && !m_fs->last_write_failure().empty()) {
        m_errors_told = true;
        runtime::report("{}: {}: the filesystem is marked as having errors (run e2fsck); serving on",
            m_device_name.view(), m_fs->last_write_failure());
    }
    return code;
}

} // namespace ext2fs
