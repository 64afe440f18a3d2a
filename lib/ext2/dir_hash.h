// The hash of a file name that orders an indexed (dir_index, "htree") directory, as ext2/3/4 and
// e2fsprogs compute it. The version comes from the directory's index root; the superblock says
// whether the bytes of names count as signed or unsigned chars (s_flags), and gives the seed.
#pragma once

#include <stdint.h>

#include "base/string_view.h"

namespace ext2 {

enum class HashVersion : uint8_t {
    Legacy = 0,
    HalfMd4 = 1,
    Tea = 2,
    LegacyUnsigned = 3,
    HalfMd4Unsigned = 4,
    TeaUnsigned = 5,
};

struct DirHash {
    uint32_t major; // what the index orders by; its lowest bit is always 0
    uint32_t minor;
};

// The hash of name; false for a version this library does not know. An all-zero seed means the
// default one.
bool dir_hash(HashVersion, base::StringView name, const uint32_t seed[4], DirHash* out);

} // namespace ext2
