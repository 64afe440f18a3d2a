// The exec tests' programs' output and start-up information.
#include "program_io.h"

#include "fsclient/client.h"

namespace test_program {

namespace {
execclient::Startup g_startup;
Output g_out;
base::StringView g_name = "program";
} // namespace

execclient::Startup& startup()
{
    return g_startup;
}

Output& out()
{
    return g_out;
}

base::StringView name()
{
    return g_name;
}

bool begin(base::StringView program)
{
    g_name = program;
    auto s = execclient::startup();
    if (s.is_error())
        return false;
    g_startup = static_cast<execclient::Startup&&>(s.value());
    if (g_startup.descriptor_count > 1)
        g_out.attach(g_startup.descriptors[1].name(), g_startup.kinds[1]);
    return true;
}

void Output::write(const char* data, size_t size)
{
    for (size_t i = 0; i < size; ++i) {
        m_line[m_size++] = data[i];
        if (data[i] == '\n' || m_size == sizeof m_line)
            flush();
    }
}

void Output::flush()
{
    const char* data = m_line;
    size_t size = m_size;
    m_size = 0;
    if (m_kind == EXEC_DESC_FILE) {
        fsclient::Node node = fsclient::Node::adopt(m_port);
        (void)node.write(FS_OFFSET_CURRENT, data, size);
        node.release();
        return;
    }
    if (m_kind != EXEC_DESC_DEVICE)
        return;
    while (size) {
        size_t n = size < 128 ? size : 128;
        int written = 0;
        if (device_write_inband(m_port, 0, 0, const_cast<char*>(data), n, &written) != KERN_SUCCESS)
            return;
        data += n;
        size -= n;
    }
}

} // namespace test_program
