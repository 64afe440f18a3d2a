// dir_readdir's packed records (fs_types.h: fs_dirent_header, the name, a zero, padding to 8
// bytes): the server writes them with DirentWriter, clients walk them with DirentReader.
// Portable; the reader checks every record against the buffer, so a bad reply is an error,
// never a read past the end.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/string_view.h"
#include "fs_types.h"

namespace fsclient {

class DirentWriter {
public:
    DirentWriter(char* buffer, size_t capacity)
        : m_buffer(buffer)
        , m_capacity(capacity)
    {
    }
    // Appends a record; false (nothing written) when it does not fit or the name is too long.
    bool add(uint32_t ino, uint8_t type, base::StringView name)
    {
        if (name.size() > FS_NAME_MAX)
            return false;
        size_t size = FS_DIRENT_SIZE(name.size());
        if (size > m_capacity - m_size)
            return false;
        char* p = m_buffer + m_size;
        fs_dirent_header h { ino, static_cast<uint16_t>(size), type, static_cast<uint8_t>(name.size()) };
        __builtin_memcpy(p, &h, sizeof h);
        __builtin_memcpy(p + sizeof h, name.data(), name.size());
        __builtin_memset(p + sizeof h + name.size(), 0, size - sizeof h - name.size());
        m_size += size;
        ++m_count;
        return true;
    }
    static constexpr size_t max_record = FS_DIRENT_SIZE(FS_NAME_MAX);
    size_t size() const { return m_size; }
    size_t count() const { return m_count; }
    size_t room() const { return m_capacity - m_size; }

private:
    char* m_buffer;
    size_t m_capacity;
    size_t m_size = 0;
    size_t m_count = 0;
};

struct Dirent {
    uint32_t ino;
    uint8_t type; // FS_DT_*
    base::StringView name;
};

class DirentReader {
public:
    DirentReader(const char* data, size_t size)
        : m_data(data)
        , m_size(size)
    {
    }
    // The next record into out: 1 when there was one, 0 at the end, -1 on a malformed record.
    int next(Dirent& out)
    {
        if (m_at == m_size)
            return 0;
        if (m_size - m_at < sizeof(fs_dirent_header))
            return -1;
        fs_dirent_header h;
        __builtin_memcpy(&h, m_data + m_at, sizeof h);
        if (h.d_reclen != FS_DIRENT_SIZE(h.d_namlen) || h.d_reclen > m_size - m_at)
            return -1;
        out.ino = h.d_ino;
        out.type = h.d_type;
        out.name = base::StringView(m_data + m_at + sizeof h, h.d_namlen);
        m_at += h.d_reclen;
        return 1;
    }

private:
    const char* m_data;
    size_t m_size;
    size_t m_at = 0;
};

} // namespace fsclient
