// libFuzzer target with e2fsck as the oracle: the input is a whole (small) disk image. e2fsck -fn
// judges it, the library works on it read-write (ext2_exercise.h), e2fsck judges the result. A
// problem kind that was not there before, or more of one, is a finding: the library made a
// damaged disk worse (issue 10). Two e2fsck runs per input make this target slow (tens of runs
// a second); ext2_fuzz.cpp covers crashes at full speed.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>

#include "../host/e2fsck_oracle.h"
#include "ext2_exercise.h"

namespace {

std::string find_e2fsck()
{
    for (const char* path : { "/sbin/e2fsck", "/usr/sbin/e2fsck", "/usr/bin/e2fsck", "/bin/e2fsck" })
        if (access(path, X_OK) == 0)
            return path;
    fprintf(stderr, "ext2_fsck_fuzz: e2fsck is missing (apt-get install e2fsprogs)\n");
    abort();
}

// One scratch file for the process, removed at exit.
const std::string& scratch()
{
    static std::string path = [] {
        const char* dir = getenv("TMPDIR");
        std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/ext2-fsck-fuzz-XXXXXX";
        int fd = mkstemp(pattern.data());
        if (fd < 0)
            abort();
        close(fd);
        static std::string removed_at_exit = pattern;
        atexit([] { unlink(removed_at_exit.c_str()); });
        return pattern;
    }();
    return path;
}

void save(const uint8_t* data, size_t size)
{
    FILE* f = fopen(scratch().c_str(), "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
}

// Within libFuzzer's per-input bound (10 s) with both runs and the library's work.
constexpr unsigned e2fsck_seconds = 4;
constexpr unsigned e2fsck_retry_seconds = 30; // the runner gives this target -timeout=60

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const std::string e2fsck = find_e2fsck();
    if (size < 2048 || size > (1u << 20))
        return 0;
    save(data, size);
    e2fsck_oracle::Problems before = e2fsck_oracle::check(e2fsck, scratch(), e2fsck_seconds);
    if (before.status != 0 && before.status != 4)
        return 0; // e2fsck cannot judge this image: no oracle
    // A file that already claims another's block or the group's metadata (e2fsck's pass 1B) is
    // damage the library cannot see without e2fsck's scan of every inode: a legitimate write
    // to the shared block (a new inode in that inode table block, say) changes what the other
    // file seems to hold. The library's promise is about what it reads; no oracle here.
    if (before.output.find("multiply-claimed") != std::string::npos
        || before.output.find("conflicts with critical metadata") != std::string::npos)
        return 0;
    uint8_t* image = static_cast<uint8_t*>(malloc(size));
    memcpy(image, data, size);
    ext2_fuzz::exercise(image, size, true);
    save(image, size);
    free(image);
    e2fsck_oracle::Problems after = e2fsck_oracle::check(e2fsck, scratch(), e2fsck_seconds);
    // A run that could not check after one that could: on a loaded machine (make check runs
    // QEMU beside this) e2fsck may only have been slow, so it gets a second, longer chance.
    if (after.status == -1)
        after = e2fsck_oracle::check(e2fsck, scratch(), e2fsck_retry_seconds);
    auto worse = e2fsck_oracle::worse(before, after);
    if (!worse.empty()) {
        fprintf(stderr, "ext2_fsck_fuzz: the library made the image worse:\n");
        for (const std::string& w : worse)
            fprintf(stderr, "  %s\n", w.c_str());
        fprintf(stderr, "before: %s\nafter:\n%s\n", e2fsck_oracle::describe(before).c_str(), after.output.c_str());
        __builtin_trap();
    }
    return 0;
}
