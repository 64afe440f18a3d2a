// Directory name hashes (dir_hash.h): the legacy hash, half MD4 and TEA, each over the name cut
// into words the same way (words_of).
#include "ext2/dir_hash.h"

namespace ext2 {

namespace {

uint32_t rotate_left(uint32_t x, unsigned s)
{
    return (x << s) | (x >> (32 - s));
}

// A name byte as the hash reads it: sign-extended unless the filesystem says unsigned.
int byte_at(base::StringView s, size_t i, bool unsigned_chars)
{
    auto b = static_cast<unsigned char>(s[i]);
    return unsigned_chars ? int(b) : int(static_cast<signed char>(b));
}

// The next count words of input from name: four bytes to a word, most significant first, each
// started from a pad made of the length of what is left; words past the name are the pad.
void words_of(base::StringView name, uint32_t* out, size_t count, bool unsigned_chars)
{
    uint32_t length = static_cast<uint32_t>(name.size());
    uint32_t pad = length | (length << 8);
    pad |= pad << 16;
    size_t take = name.size() < count * 4 ? name.size() : count * 4;
    uint32_t value = pad;
    size_t filled = 0;
    for (size_t i = 0; i < take; ++i) {
        value = static_cast<uint32_t>(byte_at(name, i, unsigned_chars)) + (value << 8);
        if (i % 4 == 3) {
            out[filled++] = value;
            value = pad;
        }
    }
    if (filled < count)
        out[filled++] = value;
    while (filled < count)
        out[filled++] = pad;
}

uint32_t legacy_hash(base::StringView name, bool unsigned_chars)
{
    uint32_t previous = 0x37abe8f9, current = 0x12a3fe2d;
    for (size_t i = 0; i < name.size(); ++i) {
        uint32_t next = previous + (current ^ static_cast<uint32_t>(byte_at(name, i, unsigned_chars) * 7152373));
        if (next & 0x80000000u)
            next -= 0x7fffffff;
        previous = current;
        current = next;
    }
    return current << 1;
}

// Half MD4: three rounds of eight steps over eight words, each step (function, word, shift).
void half_md4(uint32_t state[4], const uint32_t in[8])
{
    struct Step {
        uint8_t word;
        uint8_t shift;
    };
    static constexpr Step round1[8]
        = { { 0, 3 }, { 1, 7 }, { 2, 11 }, { 3, 19 }, { 4, 3 }, { 5, 7 }, { 6, 11 }, { 7, 19 } };
    static constexpr Step round2[8]
        = { { 1, 3 }, { 3, 5 }, { 5, 9 }, { 7, 13 }, { 0, 3 }, { 2, 5 }, { 4, 9 }, { 6, 13 } };
    static constexpr Step round3[8]
        = { { 3, 3 }, { 7, 9 }, { 2, 11 }, { 6, 15 }, { 1, 3 }, { 5, 9 }, { 0, 11 }, { 4, 15 } };
    constexpr uint32_t k2 = 013240474631u, k3 = 015666365641u;
    auto f = [](uint32_t x, uint32_t y, uint32_t z) { return z ^ (x & (y ^ z)); };
    auto g = [](uint32_t x, uint32_t y, uint32_t z) { return (x & y) + ((x ^ y) & z); };
    auto h = [](uint32_t x, uint32_t y, uint32_t z) { return x ^ y ^ z; };

    uint32_t r[4] = { state[0], state[1], state[2], state[3] };
    // Step i updates r[(4 - i % 4) % 4] from the other three in the order MD4 rotates them.
    auto run = [&](const Step* steps, uint32_t constant, auto function) {
        for (unsigned i = 0; i < 8; ++i) {
            unsigned a = (4 - i % 4) % 4;
            uint32_t& target = r[a];
            uint32_t b = r[(a + 1) % 4], c = r[(a + 2) % 4], d = r[(a + 3) % 4];
            target = rotate_left(target + function(b, c, d) + in[steps[i].word] + constant, steps[i].shift);
        }
    };
    run(round1, 0, f);
    run(round2, k2, g);
    run(round3, k3, h);
    for (unsigned i = 0; i < 4; ++i)
        state[i] += r[i];
}

void tea(uint32_t state[4], const uint32_t in[4])
{
    constexpr uint32_t delta = 0x9e3779b9;
    uint32_t sum = 0, x = state[0], y = state[1];
    for (int round = 0; round < 16; ++round) {
        sum += delta;
        x += ((y << 4) + in[0]) ^ (y + sum) ^ ((y >> 5) + in[1]);
        y += ((x << 4) + in[2]) ^ (x + sum) ^ ((x >> 5) + in[3]);
    }
    state[0] += x;
    state[1] += y;
}

} // namespace

bool dir_hash(HashVersion version, base::StringView name, const uint32_t seed[4], DirHash* out)
{
    uint32_t state[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
    if (seed && (seed[0] | seed[1] | seed[2] | seed[3]))
        for (unsigned i = 0; i < 4; ++i)
            state[i] = seed[i];
    bool unsigned_chars = version >= HashVersion::LegacyUnsigned;
    DirHash hash { 0, 0 };
    switch (version) {
    case HashVersion::Legacy:
    case HashVersion::LegacyUnsigned:
        hash.major = legacy_hash(name, unsigned_chars);
        break;
    case HashVersion::HalfMd4:
    case HashVersion::HalfMd4Unsigned: {
        for (base::StringView rest = name; !rest.empty(); rest = rest.substr(rest.size() < 32 ? rest.size() : 32)) {
            uint32_t in[8];
            words_of(rest, in, 8, unsigned_chars);
            half_md4(state, in);
        }
        hash = { state[1], state[2] };
        break;
    }
    case HashVersion::Tea:
    case HashVersion::TeaUnsigned: {
        for (base::StringView rest = name; !rest.empty(); rest = rest.substr(rest.size() < 16 ? rest.size() : 16)) {
            uint32_t in[4];
            words_of(rest, in, 4, unsigned_chars);
            tea(state, in);
        }
        hash = { state[0], state[1] };
        break;
    }
    default:
        return false;
    }
    hash.major &= ~1u;
    *out = hash;
    return true;
}

} // namespace ext2
