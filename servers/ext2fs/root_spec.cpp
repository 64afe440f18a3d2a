// Root specs as the Hurd writes them: part:N:device:NAME, device:NAME, NAME.
#include "root_spec.h"
#include "base/status.h"

namespace ext2fs {

namespace {

// Device names are short words of letters, digits and a few marks; anything else (a space, a
// colon, a slash) means the spec was not understood.
bool is_device_name(base::StringView s)
{
    if (s.empty() || s.size() > 63)
        return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
            || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

constexpr int invalid = base::status::invalid_argument;

// "N:device:NAME", the name of a part store (what follows "part:" in a typed name).
base::Result<RootDevice> parse_part(base::StringView rest)
{
    size_t colon = rest.find(':');
    base::StringView number = rest.substr(0, colon);
    base::StringView inner = rest.substr(colon == rest.size() ? colon : colon + 1);
    unsigned long long n = 0;
    if (colon == rest.size() || !base::parse_unsigned(number, n) || n == 0 || n > 255 || number.starts_with("0"))
        return base::Error(invalid, "the partition number of a part:N:device:NAME spec must be 1 to 255");
    if (!inner.starts_with("device:"))
        return base::Error(invalid, "a part: spec must name a device (part:N:device:NAME)");
    base::StringView disk = inner.substr(7);
    if (!is_device_name(disk))
        return base::Error(invalid, "the device name of a part:N:device:NAME spec is not a device name");
    base::BufferSink<64> name;
    base::format(name, "{}s{}", disk, n);
    if (name.truncated())
        return base::Error(invalid, "the device name of a part:N:device:NAME spec is too long");
    RootDevice out;
    out.name.assign(name.view());
    return out;
}

} // namespace

base::Result<RootDevice> parse_root_spec(base::StringView spec, base::StringView store_type)
{
    RootDevice out;
    if (!store_type.empty() && store_type != "typed" && store_type != "device" && store_type != "part")
        return base::Error(invalid, "the store type (-T) is not one of typed, device, part");
    if (store_type == "device") {
        if (!is_device_name(spec))
            return base::Error(invalid, "the name of a device store is not a device name");
        out.name.assign(spec);
        return out;
    }
    if (store_type == "part")
        return parse_part(spec);
    if (spec.starts_with("part:"))
        return parse_part(spec.substr(5));
    if (spec.starts_with("device:")) {
        base::StringView disk = spec.substr(7);
        if (!is_device_name(disk))
            return base::Error(invalid, "the name of a device:NAME spec is not a device name");
        out.name.assign(disk);
        return out;
    }
    if (store_type == "typed" && spec.find(':') == spec.size())
        return base::Error(invalid, "a typed store name is TYPE:NAME (part:N:device:NAME or device:NAME)");
    if (!is_device_name(spec))
        return base::Error(invalid, "not a root spec: use part:N:device:NAME, device:NAME or a device name");
    out.name.assign(spec);
    return out;
}

base::StringView root_from_command_line(base::StringView line)
{
    while (!line.empty()) {
        size_t space = line.find(' ');
        base::StringView word = line.substr(0, space);
        line = line.substr(space == line.size() ? space : space + 1);
        if (word.starts_with("root="))
            return word.substr(5);
    }
    return {};
}

} // namespace ext2fs
