// echo-input: a tiny line editor on the console, as a shell would have: it prints the prompt
// "echo-input> " (no newline), echoes what it reads, and prints each line back as
// "echo-input: got 'LINE'". The runner's tests check with it that what is typed on the host
// reaches the guest and that a prompt shows before its line ends. "exit N" powers off with N.
#include "base/options.h"
#include "base/string_view.h"
#include "runtime/console.h"
#include "runtime/msg.h"
#include "runtime/power.h"
#include "runtime/runtime.h"

int module_main(int argc, char** argv)
{
    unsigned long long device = 0;
    base::OptionParser options("echo-input");
    options.add_number("device-master-port", device, "the device master port");
    auto parsed = options.parse(argc, argv);
    runtime::privileged_ports().device_master = static_cast<mach_port_t>(device);
    (void)runtime::console().open(static_cast<mach_port_t>(device)).is_error();
    if (parsed.is_error()) {
        runtime::report("{}", options.error_message());
        runtime::power_off(100);
    }
    mach_port_t input = MACH_PORT_NULL;
    char name[] = "console";
    if (auto kr = device_open(static_cast<mach_port_t>(device), D_READ, name, &input); kr != KERN_SUCCESS) {
        runtime::report("cannot open the console for reading: {}", base::Status { kr });
        runtime::power_off(101);
    }
    // A read waits for the user: no bound on the reply.
    runtime::set_rpc_timeout(0);
    runtime::report("ready");

    char line[128];
    size_t size = 0;
    bool after_cr = false; // "\r\n" ends one line, not two
    auto prompt = [] {
        runtime::console().put(base::StringView("echo-input> "));
        runtime::console().flush();
    };
    prompt();
    for (;;) {
        io_buf_ptr_inband_t data;
        mach_msg_type_number_t count = sizeof(data); // in: room in data; out: bytes read
        if (auto kr = device_read_inband(input, 0, 0, sizeof(data), data, &count); kr != KERN_SUCCESS) {
            runtime::report("reading the console failed: {}", base::Status { kr });
            runtime::power_off(102);
        }
        for (mach_msg_type_number_t i = 0; i < count; ++i) {
            char c = data[i];
            bool skip = c == '\n' && after_cr;
            after_cr = c == '\r';
            if (skip)
                continue;
            if (c != '\n' && c != '\r') {
                if (size < sizeof(line))
                    line[size++] = c;
                runtime::console().put(c);
                continue;
            }
            runtime::console().put('\n');
            base::StringView text(line, size);
            size = 0;
            runtime::report("got '{}'", text);
            unsigned long long status = 0;
            if (text.starts_with("exit ") && base::parse_unsigned(text.substr(5), status))
                runtime::power_off(static_cast<int>(status));
            prompt();
        }
        runtime::console().flush();
    }
}
