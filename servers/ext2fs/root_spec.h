// The root device named on ext2fs's command line, in the spellings the Hurd uses: the typed
// store "part:N:device:NAME" (rumpdisk serves partition N of disk NAME itself, as NAMEsN),
// "device:NAME", or a plain device name ("wd0s1"); a root= word of the kernel's command line
// (--multiboot-command-line) when no positional spec is given; and libstore's store types of
// -T/--store-type: "typed" (the spec is a typed name), "device" (a device name), "part" (N:STORE).
// Portable, tested on the host against tests/fs/host/root_spec_cases.txt, the table that
// `bootchain check` (tools/bootchain/rootspec.py) is held to as well.
#pragma once

#include "base/result.h"
#include "base/string_view.h"

namespace ext2fs {

struct RootDevice {
    base::BoundedString<64> name; // the device name to open ("wd0s1")
};

// Parses one spec, of the store type given (empty: as "typed", but a plain device name is
// accepted too). The error's context is a sentence naming what was wrong.
base::Result<RootDevice> parse_root_spec(base::StringView spec, base::StringView store_type = {});

// The value of the first root= word of a kernel command line (words split at spaces); empty
// when there is none.
base::StringView root_from_command_line(base::StringView command_line);

} // namespace ext2fs
