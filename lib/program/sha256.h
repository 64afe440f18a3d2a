// SHA-256 (FIPS 180-4), for sha256sum and the manifest program. Portable: the host tests check
// it against the standard's vectors and against Python's hashlib through the boot tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/format.h"

namespace program {

class Sha256 {
public:
    static constexpr size_t digest_size = 32;
    struct Digest {
        uint8_t bytes[digest_size];
    };

    Sha256() { reset(); }
    void reset();
    void update(const void* data, size_t size);
    // The digest of everything given since the last reset; the object is reset after it.
    Digest finish();

private:
    void compress(const uint8_t* block);

    uint32_t m_state[8];
    uint8_t m_block[64];
    size_t m_block_size = 0;
    uint64_t m_total = 0; // bytes
};

// 64 lowercase hexadecimal digits and a terminating zero.
struct Sha256Hex {
    char text[2 * Sha256::digest_size + 1];
};
Sha256Hex to_hex(const Sha256::Digest&);

} // namespace program

template<> struct base::Formatter<program::Sha256::Digest> {
    static void format(Sink& s, const FormatSpec&, const program::Sha256::Digest& d)
    {
        s.put(base::StringView(program::to_hex(d).text, 2 * program::Sha256::digest_size));
    }
};
