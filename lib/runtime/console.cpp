// The module console.
#include "runtime/console.h"

namespace runtime {

Console& console()
{
    static Console instance;
    return instance;
}

void Console::emit(const char* data, size_t size)
{
    if (!is_open()) {
        for (size_t i = 0; i < size && m_pending_size < sizeof(m_pending); ++i)
            m_pending[m_pending_size++] = data[i];
        return;
    }
    // device_write_inband takes at most 128 bytes per call.
    while (size) {
        size_t n = size < 128 ? size : 128;
        int written = 0;
        if (device_write_inband(m_device, 0, 0, const_cast<char*>(data), n, &written) != KERN_SUCCESS)
            return;
        data += n;
        size -= n;
    }
}

void Console::write(const char* data, size_t size)
{
    for (size_t i = 0; i < size; ++i) {
        m_line[m_line_size++] = data[i];
        if (data[i] == '\n' || m_line_size == sizeof(m_line))
            flush();
    }
}

void Console::flush()
{
    if (m_line_size)
        emit(m_line, m_line_size);
    m_line_size = 0;
}

base::Result<void> Console::open(mach_port_t device_master)
{
    mach_port_t device = MACH_PORT_NULL;
    char name[] = "console";
    MACH_TRY(device_open(device_master, D_READ | D_WRITE, name, &device), "opening the console");
    m_device = device;
    if (m_pending_size) {
        size_t n = m_pending_size;
        m_pending_size = 0;
        emit(m_pending, n);
    }
    return {};
}

} // namespace runtime
