// dir_readdir's packed records: what the server writes, the client reads back; a bad reply is
// an error, never a read past the end.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fsclient/dirent.h"
#include "fsclient/status.h"

namespace {

TEST(Dirent, WrittenRecordsReadBack)
{
    char buffer[FS_READDIR_MAX];
    fsclient::DirentWriter w(buffer, sizeof buffer);
    std::vector<std::string> names = { ".", "..", "a", std::string(255, 'x'), "hello.txt" };
    for (size_t i = 0; i < names.size(); ++i)
        ASSERT_TRUE(w.add(static_cast<uint32_t>(i + 2), FS_DT_REG, names[i].c_str()));
    EXPECT_EQ(w.count(), names.size());
    EXPECT_EQ(w.size() % 8, 0u);

    fsclient::DirentReader r(buffer, w.size());
    fsclient::Dirent d {};
    for (size_t i = 0; i < names.size(); ++i) {
        ASSERT_EQ(r.next(d), 1);
        EXPECT_EQ(d.ino, i + 2);
        EXPECT_EQ(d.type, FS_DT_REG);
        EXPECT_EQ(std::string(d.name.data(), d.name.size()), names[i]);
        EXPECT_EQ(d.name.data()[d.name.size()], 0) << "names are zero-terminated";
    }
    EXPECT_EQ(r.next(d), 0);
}

TEST(Dirent, WriterRefusesWhatDoesNotFit)
{
    char buffer[64];
    fsclient::DirentWriter w(buffer, sizeof buffer);
    EXPECT_TRUE(w.add(2, FS_DT_DIR, std::string(40, 'a').c_str())); // 8 + 41 -> 56
    EXPECT_FALSE(w.add(3, FS_DT_DIR, "bb")); // 16 more do not fit
    EXPECT_EQ(w.count(), 1u);
    char big[1024];
    fsclient::DirentWriter w2(big, sizeof big);
    EXPECT_FALSE(w2.add(2, FS_DT_REG, std::string(256, 'n').c_str()));
}

TEST(Dirent, ReaderRefusesMalformedRecords)
{
    char buffer[64] = {};
    fsclient::DirentWriter w(buffer, sizeof buffer);
    ASSERT_TRUE(w.add(2, FS_DT_REG, "name"));
    fsclient::Dirent d {};
    // Cut short.
    fsclient::DirentReader cut(buffer, w.size() - 1);
    EXPECT_EQ(cut.next(d), -1);
    // A record length that disagrees with the name length.
    buffer[4] = 64;
    fsclient::DirentReader lying(buffer, sizeof buffer);
    EXPECT_EQ(lying.next(d), -1);
    // Less than a header.
    fsclient::DirentReader tiny(buffer, 3);
    EXPECT_EQ(tiny.next(d), -1);
}

TEST(FsStatus, EveryCodeHasANameAndASentence)
{
    for (int code : { FS_EPERM, FS_ENOENT, FS_EIO, FS_EBADF, FS_ENOMEM, FS_EBUSY, FS_EEXIST, FS_EXDEV, FS_ENOTDIR,
             FS_EISDIR, FS_EINVAL, FS_ENFILE, FS_EFBIG, FS_ENOSPC, FS_ESPIPE, FS_EROFS, FS_EMLINK, FS_ENAMETOOLONG,
             FS_ENOTEMPTY, FS_ELOOP, FS_EOPNOTSUPP, FS_ESTALE, FS_EUCLEAN }) {
        ASSERT_NE(fsclient::error_name(code), nullptr) << code;
        EXPECT_NE(fsclient::error_text(code), nullptr) << code;
        EXPECT_TRUE(fsclient::is_fs_error(code));
    }
    EXPECT_STREQ(fsclient::error_name(FS_ENOENT), "FS_ENOENT");
    EXPECT_EQ(fsclient::error_name(0), nullptr);
    EXPECT_FALSE(fsclient::is_fs_error(2500));
    base::BufferSink<64> s;
    base::format(s, "{} {}", fsclient::Status { FS_EROFS }, fsclient::Status { 2500 });
    EXPECT_EQ(std::string(s.c_str()), "FS_EROFS D_IO_ERROR");
}

} // namespace
