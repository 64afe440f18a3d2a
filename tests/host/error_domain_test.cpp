// Errors carry their domain: each prints by its domain's names, and a domain check tells apart
// codes of different domains even when their numbers are the same.
#include <gtest/gtest.h>

#include <string>

#include "base/error.h"
#include "base/format.h"
#include "base/status.h"
#include "elf/error.h"
#include "ext2/filesystem.h"
#include "fsclient/status.h"
#include "partition/partition.h"

namespace {

std::string text(const base::Error& e)
{
    base::BufferSink<256> s;
    base::format(s, "{}", e);
    return std::string(s.c_str());
}

TEST(ErrorDomain, AnErrorOfEachDomainPrintsItsDomainAndName)
{
    EXPECT_EQ(text(base::Error(base::status::device_io_error, "reading sector 7")), "reading sector 7: D_IO_ERROR");
    EXPECT_EQ(text(base::Error(base::status::invalid_argument)), "KERN_INVALID_ARGUMENT");
    EXPECT_EQ(text(ext2::error(ext2::Errc::NoSpace, "allocating a block")), "allocating a block: ext2: NoSpace");
    EXPECT_EQ(text(elf::make_error(elf::Error::Elf32)),
        "wrong class: the file is a 32-bit ELF (ELFCLASS32); only 64-bit programs run here: elf: Elf32");
    EXPECT_EQ(text(fsclient::error(FS_ENOENT, "an empty path")), "an empty path: fs: FS_ENOENT");
    EXPECT_EQ(
        text(partition::error(partition::Errc::Corrupt, "EBR chain loops")), "EBR chain loops: partition: Corrupt");
}

TEST(ErrorDomain, EachDomainHasItsOwnName)
{
    EXPECT_STREQ(base::mach_domain.name, "mach");
    EXPECT_STREQ(ext2::domain.name, "ext2");
    EXPECT_STREQ(elf::domain.name, "elf");
    EXPECT_STREQ(fsclient::domain.name, "fs");
    EXPECT_STREQ(partition::domain.name, "partition");
}

TEST(ErrorDomain, ACodeTheDomainDoesNotKnowPrintsAsANumberInThatDomain)
{
    EXPECT_EQ(text(base::Error(ext2::domain, 7)), "ext2: code 0x7");
    EXPECT_EQ(text(base::Error(elf::domain, 0)), "elf: code 0x0");
    EXPECT_EQ(text(base::Error(0x1234)), "status 0x1234");
}

TEST(ErrorDomain, ADomainCheckTellsAnElfErrorFromAMachStatusOfTheSameNumber)
{
    int number = static_cast<int>(elf::Error::Elf32);
    base::Error from_elf = elf::make_error(elf::Error::Elf32);
    base::Error from_mach(number, "a status that happens to have that number");
    EXPECT_EQ(from_elf.code(), from_mach.code());
    EXPECT_TRUE(from_elf.is(elf::domain));
    EXPECT_FALSE(from_mach.is(elf::domain));
    EXPECT_TRUE(from_mach.is(base::mach_domain));
    EXPECT_EQ(&from_elf.domain(), &elf::domain);
    EXPECT_STREQ(from_elf.code_name(), "Elf32");
    EXPECT_EQ(from_mach.code_name(), nullptr);
}

TEST(ErrorDomain, PartitionErrorsKeepTheirNumbersButNotTheDevicesDomain)
{
    // A corrupt table and a device's read error have the same number (D_IO_ERROR's, kept for
    // callers that hand the code on); only the domain tells them apart.
    base::Error corrupt = partition::error(partition::Errc::Corrupt, "EBR chain loops");
    base::Error device(base::status::device_io_error, "read failed");
    EXPECT_EQ(corrupt.code(), device.code());
    EXPECT_TRUE(corrupt.is(partition::domain));
    EXPECT_FALSE(device.is(partition::domain));
}

TEST(ErrorDomain, SentencesComeFromTheDomainsThatHaveThem)
{
    EXPECT_STREQ(elf::make_error(elf::Error::Dynamic).sentence(), elf::error_sentence(elf::Error::Dynamic));
    EXPECT_STREQ(fsclient::error(FS_EROFS, nullptr).sentence(), "read-only filesystem");
    EXPECT_EQ(ext2::error(ext2::Errc::Corrupt, nullptr).sentence(), nullptr);
    EXPECT_EQ(base::Error(base::status::timed_out).sentence(), nullptr);
}

TEST(ErrorDomain, AReplyStatusIsGivenItsDomainWhereItArrives)
{
    EXPECT_TRUE(fsclient::reply_error(FS_ENOENT, "dir_lookup").is(fsclient::domain));
    EXPECT_TRUE(fsclient::reply_error(base::status::device_io_error, "io_read").is(base::mach_domain));
}

} // namespace
