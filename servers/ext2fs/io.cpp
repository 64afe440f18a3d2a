// The file protocol's io_* calls on nodes: reading, writing, seeking, attributes, and the
// identity a node port carries.
#include "access.h"
#include "handler_support.h"
#include "node_server.h"

namespace ext2fs {

namespace {

bool page_aligned(const void* p)
{
    return (reinterpret_cast<uintptr_t>(p) & (page_size - 1)) == 0;
}

// Bytes of a view into out: whole pages are moved by the VM system (copy-on-write), the rest
// by the processor.
void copy_view(char* out, const ext2::DataView& view)
{
    if (page_aligned(out) && page_aligned(view.data) && view.size >= page_size) {
        size_t pages = view.size & ~(page_size - 1);
        if (vm_copy(
                mach_task_self(), reinterpret_cast<vm_address_t>(view.data), pages, reinterpret_cast<vm_address_t>(out))
            == KERN_SUCCESS) {
            __builtin_memcpy(out + pages, view.data + pages, view.size - pages);
            return;
        }
    }
    __builtin_memcpy(out, view.data, view.size);
}

} // namespace

kern_return_t NodeServer::io_read(Node& o, char** data, mach_msg_type_number_t* count, int64_t offset, vm_size_t amount)
{
    if (kern_return_t r = may_use_data(o, FS_LOOKUP_READ))
        return r;
    if (offset < 0 && offset != FS_OFFSET_CURRENT)
        return FS_EINVAL;
    uint64_t at = offset == FS_OFFSET_CURRENT ? o.position : static_cast<uint64_t>(offset);
    size_t want = amount < FS_IO_MAX ? amount : FS_IO_MAX;

    // The first piece from the file data cache; it also says how big the file is.
    auto first = m_fs->read_view(o.ino, at, want);
    if (first.is_error())
        return reply_error(first.error(), "io_read");
    uint64_t size = first.value().file_size;
    if (at >= size)
        want = 0;
    else if (want > size - at)
        want = static_cast<size_t>(size - at);

    size_t got = 0;
    if (want == 0) {
        // Nothing to read: the empty in-line array of the reply is the answer.
    } else if (first.value().data && first.value().size == want && want > *count && page_aligned(first.value().data)) {
        // One piece of whole cached pages: sent copy-on-write, nothing copied. vm_read makes the
        // copy that the reply gives away (io_read's data is sent with dealloc); the cache keeps
        // its pages, and a later write to them copies the page, not the client's view.
        vm_offset_t copy = 0;
        mach_msg_type_number_t copied = 0;
        kern_return_t r = vm_read(
            mach_task_self(), reinterpret_cast<vm_address_t>(first.value().data), round_to_page(want), &copy, &copied);
        if (r != KERN_SUCCESS)
            return FS_ENOMEM;
        *data = reinterpret_cast<char*>(copy);
        got = want;
    } else {
        // In-line in the reply when it fits, else out of line in pages of ours that MIG gives
        // away with the reply (dealloc); filled piece by piece (a read that crosses a chunk of
        // the cache), or uncached when the cache cannot hold the file.
        char* out = *data;
        vm_address_t buffer = 0;
        vm_size_t mapped = round_to_page(want);
        if (want > *count) {
            if (vm_allocate(mach_task_self(), &buffer, mapped, TRUE) != KERN_SUCCESS)
                return FS_ENOMEM;
            out = reinterpret_cast<char*>(buffer);
        }
        ext2::DataView view = first.value();
        kern_return_t failure = KERN_SUCCESS;
        while (got < want && view.data && view.size) {
            copy_view(out + got, view);
            got += view.size;
            if (got == want)
                break;
            auto next = m_fs->read_view(o.ino, at + got, want - got);
            if (next.is_error()) {
                failure = reply_error(next.error(), "io_read");
                break;
            }
            view = next.value();
        }
        if (!failure && got < want) {
            auto r = m_fs->read(o.ino, at + got, out + got, want - got);
            if (r.is_error())
                failure = reply_error(r.error(), "io_read");
            else
                got += r.value();
        }
        if (failure) {
            if (buffer)
                vm_deallocate(mach_task_self(), buffer, mapped);
            return failure;
        }
        if (buffer) {
            // The kernel takes away only the pages of the data sent; the rest is released here.
            vm_size_t used = round_to_page(got);
            if (used < mapped)
                vm_deallocate(mach_task_self(), buffer + used, mapped - used);
            if (got > 0)
                *data = out;
        }
    }
    *count = static_cast<mach_msg_type_number_t>(got);
    if (offset == FS_OFFSET_CURRENT)
        o.position += got;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_write(
    Node& o, const char* data, mach_msg_type_number_t count, int64_t offset, vm_size_t* amount)
{
    if (kern_return_t r = may_use_data(o, FS_LOOKUP_WRITE))
        return r;
    if (offset < 0 && offset != FS_OFFSET_CURRENT)
        return FS_EINVAL;
    uint64_t at = static_cast<uint64_t>(offset);
    if (offset == FS_OFFSET_CURRENT) {
        at = o.position;
        if (o.flags & FS_LOOKUP_APPEND) {
            auto st = m_fs->stat(o.ino);
            if (st.is_error())
                return reply_error(st.error(), "io_write");
            at = st.value().size;
        }
    }
    size_t len = count < FS_IO_MAX ? count : FS_IO_MAX;
    auto r = m_fs->write(o.ino, at, data, len);
    if (r.is_error())
        return reply_error(r.error(), "io_write");
    *amount = r.value();
    if (offset == FS_OFFSET_CURRENT)
        o.position = at + r.value();
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_seek(Node& o, int64_t offset, int whence, int64_t* position)
{
    int64_t base = 0;
    switch (whence) {
    case FS_SEEK_SET:
        break;
    case FS_SEEK_CUR:
        base = static_cast<int64_t>(o.position);
        break;
    case FS_SEEK_END: {
        auto st = m_fs->stat(o.ino);
        if (st.is_error())
            return reply_error(st.error(), "io_seek");
        base = static_cast<int64_t>(st.value().size);
        break;
    }
    default:
        return FS_EINVAL;
    }
    int64_t target = 0;
    if (__builtin_add_overflow(base, offset, &target) || target < 0)
        return FS_EINVAL;
    o.position = static_cast<uint64_t>(target);
    *position = target;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_stat(Node& o, fs_stat* out)
{
    auto st = m_fs->stat(o.ino);
    if (st.is_error())
        return reply_error(st.error(), "io_stat");
    const ext2::Stat& s = st.value();
    *out = fs_stat {};
    out->ino = s.ino;
    out->size = s.size;
    out->blocks = s.blocks512;
    out->mode = s.mode;
    out->nlink = s.links;
    out->uid = s.uid;
    out->gid = s.gid;
    out->atime = s.atime;
    out->mtime = s.mtime;
    out->ctime = s.ctime;
    out->blksize = m_fs->statfs().block_size;
    out->rdev = s.rdev;
    out->flags = s.flags;
    out->gen = s.generation;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_restrict_auth(
    Node& o, const fs_identity& identity, mach_port_t* result, mach_msg_type_name_t* poly)
{
    if (!access::valid(identity))
        return FS_EINVAL;
    if (!access::may_become(o.identity, identity))
        return FS_EPERM;
    auto opened = open_node(o.ino, o.flags, identity);
    if (opened.is_error())
        return reply_error(opened.error(), "io_restrict_auth");
    *result = opened.value().release();
    *poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_restrict_auth_as(
    Node& o, mach_port_t model, mach_port_t* result, mach_msg_type_name_t* poly)
{
    Node* m = runtime::served(model, node_port);
    if (!m)
        return FS_EXDEV;
    if (!access::may_become(o.identity, m->identity))
        return FS_EPERM;
    uint32_t flags = o.flags;
    if (!(m->flags & FS_LOOKUP_WRITE))
        flags &= ~static_cast<uint32_t>(FS_LOOKUP_WRITE);
    auto opened = open_node(o.ino, flags, m->identity);
    if (opened.is_error())
        return reply_error(opened.error(), "io_restrict_auth_as");
    // The send right to our own port that came with the request (ours on success only).
    mach_port_deallocate(mach_task_self(), model);
    *result = opened.value().release();
    *poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::io_get_auth(Node& o, fs_identity* out)
{
    // Any node port, even a stale one: the identity is the port's.
    *out = o.identity;
    return KERN_SUCCESS;
}

kern_return_t NodeServer::stat_for(ext2::Ino ino, ext2::Stat& out, const char* operation)
{
    auto st = m_fs->stat(ino);
    if (st.is_error())
        return reply_error(st.error(), operation);
    out = st.value();
    return KERN_SUCCESS;
}

} // namespace ext2fs
