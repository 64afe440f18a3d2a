// SHA-256 against FIPS 180-4's examples and the NIST vectors, and the same digest whatever
// the pieces the data comes in.
#include <gtest/gtest.h>

#include <string>

#include "program/sha256.h"

namespace {

std::string hex(const std::string& data)
{
    program::Sha256 h;
    h.update(data.data(), data.size());
    return program::to_hex(h.finish()).text;
}

TEST(Sha256, StandardVectors)
{
    EXPECT_EQ(hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                  "mnopqrstnopqrstu"),
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    EXPECT_EQ(hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    EXPECT_EQ(hex("The quick brown fox jumps over the lazy dog"),
        "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

TEST(Sha256, PaddingBoundaries)
{
    // 55, 56 and 64 bytes: the length fits in the last block, needs another one, fills one.
    EXPECT_EQ(hex(std::string(55, 'a')), "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    EXPECT_EQ(hex(std::string(56, 'a')), "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    EXPECT_EQ(hex(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, PiecesDoNotMatter)
{
    std::string data;
    for (int i = 0; i < 5000; ++i)
        data += static_cast<char>((i * 7919) & 0xff);
    std::string whole = hex(data);
    for (size_t piece : { 1u, 3u, 63u, 64u, 65u, 127u, 1000u }) {
        program::Sha256 h;
        for (size_t at = 0; at < data.size(); at += piece)
            h.update(data.data() + at, std::min(piece, data.size() - at));
        EXPECT_EQ(program::to_hex(h.finish()).text, whole) << "pieces of " << piece;
    }
}

TEST(Sha256, FinishResets)
{
    program::Sha256 h;
    h.update("abc", 3);
    (void)h.finish();
    h.update("abc", 3);
    EXPECT_STREQ(program::to_hex(h.finish()).text, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

} // namespace
