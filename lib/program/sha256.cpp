// SHA-256 as FIPS 180-4 describes it: 64-byte blocks, big-endian words, the length in bits
// at the end of the padding.
#include "program/sha256.h"

namespace program {

namespace {

// clang-format off
constexpr uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};
// clang-format on

constexpr uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

} // namespace

void Sha256::reset()
{
    static constexpr uint32_t initial[8]
        = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    for (int i = 0; i < 8; ++i)
        m_state[i] = initial[i];
    m_block_size = 0;
    m_total = 0;
}

void Sha256::compress(const uint8_t* block)
{
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
        w[i] = uint32_t(block[4 * i]) << 24 | uint32_t(block[4 * i + 1]) << 16 | uint32_t(block[4 * i + 2]) << 8
            | uint32_t(block[4 * i + 3]);
    for (int i = 16; i < 64; ++i) {
        uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = m_state[0], b = m_state[1], c = m_state[2], d = m_state[3];
    uint32_t e = m_state[4], f = m_state[5], g = m_state[6], h = m_state[7];
    for (int i = 0; i < 64; ++i) {
        uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t choose = (e & f) ^ (~e & g);
        uint32_t t1 = h + s1 + choose + round_constants[i] + w[i];
        uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = s0 + majority;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    m_state[0] += a;
    m_state[1] += b;
    m_state[2] += c;
    m_state[3] += d;
    m_state[4] += e;
    m_state[5] += f;
    m_state[6] += g;
    m_state[7] += h;
}

void Sha256::update(const void* data, size_t size)
{
    auto* p = static_cast<const uint8_t*>(data);
    m_total += size;
    if (m_block_size) {
        while (size && m_block_size < 64) {
            m_block[m_block_size++] = *p++;
            --size;
        }
        if (m_block_size < 64)
            return;
        compress(m_block);
        m_block_size = 0;
    }
    while (size >= 64) {
        compress(p);
        p += 64;
        size -= 64;
    }
    while (size--)
        m_block[m_block_size++] = *p++;
}

Sha256::Digest Sha256::finish()
{
    uint64_t bits = m_total * 8;
    m_block[m_block_size++] = 0x80;
    if (m_block_size > 56) {
        while (m_block_size < 64)
            m_block[m_block_size++] = 0;
        compress(m_block);
        m_block_size = 0;
    }
    while (m_block_size < 56)
        m_block[m_block_size++] = 0;
    for (int i = 7; i >= 0; --i)
        m_block[m_block_size++] = static_cast<uint8_t>(bits >> (8 * i));
    compress(m_block);
    Digest d;
    for (int i = 0; i < 8; ++i)
        for (int j = 0; j < 4; ++j)
            d.bytes[4 * i + j] = static_cast<uint8_t>(m_state[i] >> (24 - 8 * j));
    reset();
    return d;
}

Sha256Hex to_hex(const Sha256::Digest& d)
{
    static constexpr char digits[] = "0123456789abcdef";
    Sha256Hex h;
    for (size_t i = 0; i < Sha256::digest_size; ++i) {
        h.text[2 * i] = digits[d.bytes[i] >> 4];
        h.text[2 * i + 1] = digits[d.bytes[i] & 15];
    }
    h.text[2 * Sha256::digest_size] = 0;
    return h;
}

} // namespace program
