// The Linux peer's side of the benchmarks: each row's work in a tight loop, timed in the guest
// with CLOCK_MONOTONIC, as disk-client and fs-client do it on the chain. A static program the
// initramfs brings (tests/bench/initramfs.py); busybox's date has no sub-second format, and a
// shell loop would measure the shell rather than the kernel.
//
// Every result is one line on stdout, the same shape as the chain's clients print:
//   bench-row: NAME ns=N bytes=B count=C
// and the benchmark's host side (tests/bench/chain_rows.py, linux_peer.py) turns it into a rate.
//
//   linux-bench raw DEVICE REQUEST BYTES       sequential O_DIRECT reads from offset 0
//   linux-bench random DEVICE COUNT BYTES      4 KiB O_DIRECT reads, the chain's sequence
//   linux-bench read NAME FILE                 a whole file in 1 MiB reads
//   linux-bench readfiles DIR COUNT            DIR/f00000 ... each read whole (4 KiB)
//   linux-bench stat DIR                       every entry of DIR looked up and stat'ed
//   linux-bench create DIR COUNT               DIR/file00000 ... created, then sync()
//   linux-bench delete DIR COUNT               the same files unlinked, then sync()
//   linux-bench write FILE BYTES               a new file written in 1 MiB writes, then sync()
//   linux-bench exit STATUS                    QEMU ends with STATUS (isa-debug-exit at 0xf4)
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { MEBIBYTE = 1 << 20, SMALL_FILE = 4096 };

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static int fail(const char* what, const char* name)
{
    printf("linux-bench: %s %s: %s\n", what, name, strerror(errno));
    return 1;
}

static void row(const char* name, uint64_t ns, uint64_t bytes, uint64_t count)
{
    printf("bench-row: %s ns=%llu bytes=%llu count=%llu\n", name, (unsigned long long)ns, (unsigned long long)bytes,
        (unsigned long long)count);
}

// O_DIRECT needs buffers aligned to the logical block; a page is enough.
static void* aligned(size_t size)
{
    void* p = NULL;
    if (posix_memalign(&p, 4096, size))
        return NULL;
    memset(p, 0, size);
    return p;
}

static int raw(const char* device, size_t request, uint64_t total)
{
    int fd = open(device, O_RDONLY | O_DIRECT);
    if (fd < 0)
        return fail("open", device);
    char* buffer = aligned(request);
    uint64_t start = now_ns(), count = 0;
    for (uint64_t at = 0; at < total; at += request, ++count)
        if (pread(fd, buffer, request, (off_t)at) != (ssize_t)request)
            return fail("read", device);
    uint64_t ns = now_ns() - start;
    const char* name = request >= MEBIBYTE ? "raw seq 1 MiB" : request >= 65536 ? "raw seq 64 KiB" : "raw seq 4 KiB";
    row(name, ns, total, count);
    close(fd);
    return 0;
}

// The same xorshift sequence as disk-client's random reads, over the same area.
static int random_reads(const char* device, unsigned count, uint64_t total)
{
    int fd = open(device, O_RDONLY | O_DIRECT);
    if (fd < 0)
        return fail("open", device);
    char* buffer = aligned(4096);
    uint64_t x = 88172645463325252ULL, slots = total / 4096;
    uint64_t start = now_ns();
    for (unsigned i = 0; i < count; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (pread(fd, buffer, 4096, (off_t)((x % slots) * 4096)) != 4096)
            return fail("read", device);
    }
    row("random 4 KiB", now_ns() - start, (uint64_t)count * 4096, count);
    close(fd);
    return 0;
}

static int read_file(const char* name, const char* path)
{
    char* buffer = aligned(MEBIBYTE);
    uint64_t start = now_ns(), bytes = 0, count = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return fail("open", path);
    for (ssize_t got; (got = read(fd, buffer, MEBIBYTE)) != 0; ++count) {
        if (got < 0)
            return fail("read", path);
        bytes += (uint64_t)got;
    }
    close(fd);
    row(name, now_ns() - start, bytes, count);
    return 0;
}

static int read_files(const char* dir, unsigned count)
{
    char path[512], buffer[SMALL_FILE];
    uint64_t start = now_ns(), bytes = 0;
    for (unsigned i = 0; i < count; ++i) {
        snprintf(path, sizeof path, "%s/f%05u", dir, i);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            return fail("open", path);
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got != SMALL_FILE)
            return fail("read", path);
        bytes += (uint64_t)got;
        close(fd);
    }
    row("small files", now_ns() - start, bytes, count);
    return 0;
}

static int stat_all(const char* dir)
{
    char path[512];
    uint64_t start = now_ns(), count = 0;
    DIR* d = opendir(dir);
    if (!d)
        return fail("opendir", dir);
    for (struct dirent* e; (e = readdir(d)) != NULL;) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st))
            return fail("stat", path);
        ++count;
    }
    closedir(d);
    row("stat", now_ns() - start, 0, count);
    return 0;
}

static int create_files(const char* dir, unsigned count)
{
    char path[512];
    if (mkdir(dir, 0755) && errno != EEXIST)
        return fail("mkdir", dir);
    uint64_t start = now_ns();
    for (unsigned i = 0; i < count; ++i) {
        snprintf(path, sizeof path, "%s/file%05u", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0)
            return fail("create", path);
        close(fd);
    }
    sync();
    row("create", now_ns() - start, 0, count);
    return 0;
}

static int delete_files(const char* dir, unsigned count)
{
    char path[512];
    uint64_t start = now_ns();
    for (unsigned i = 0; i < count; ++i) {
        snprintf(path, sizeof path, "%s/file%05u", dir, i);
        if (unlink(path))
            return fail("unlink", path);
    }
    sync();
    row("delete", now_ns() - start, 0, count);
    rmdir(dir);
    return 0;
}

static int write_file(const char* path, uint64_t total)
{
    char* buffer = aligned(MEBIBYTE);
    for (size_t i = 0; i < MEBIBYTE; ++i)
        buffer[i] = (char)(i * 13);
    uint64_t start = now_ns(), count = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return fail("create", path);
    for (uint64_t at = 0; at < total; at += MEBIBYTE, ++count)
        if (write(fd, buffer, MEBIBYTE) != MEBIBYTE)
            return fail("write", path);
    sync();
    close(fd);
    row("write", now_ns() - start, total, count);
    return 0;
}

// QEMU's isa-debug-exit device (qemu.command adds it): QEMU ends with status (v << 1) | 1.
static int exit_qemu(int status)
{
    fflush(stdout);
    sync();
    if (ioperm(0xf4, 4, 1))
        return fail("ioperm", "0xf4");
    outb((unsigned char)status, 0xf4);
    return 1; // not reached
}

int main(int argc, char** argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char* what = argc > 1 ? argv[1] : "";
    int r = 2;
    if (!strcmp(what, "raw") && argc == 5)
        r = raw(argv[2], strtoul(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
    else if (!strcmp(what, "random") && argc == 5)
        r = random_reads(argv[2], (unsigned)strtoul(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
    else if (!strcmp(what, "read") && argc == 4)
        r = read_file(argv[2], argv[3]);
    else if (!strcmp(what, "readfiles") && argc == 4)
        r = read_files(argv[2], (unsigned)strtoul(argv[3], NULL, 0));
    else if (!strcmp(what, "stat") && argc == 3)
        r = stat_all(argv[2]);
    else if (!strcmp(what, "create") && argc == 4)
        r = create_files(argv[2], (unsigned)strtoul(argv[3], NULL, 0));
    else if (!strcmp(what, "delete") && argc == 4)
        r = delete_files(argv[2], (unsigned)strtoul(argv[3], NULL, 0));
    else if (!strcmp(what, "write") && argc == 4)
        r = write_file(argv[2], strtoull(argv[3], NULL, 0));
    else if (!strcmp(what, "exit") && argc == 3)
        r = exit_qemu(atoi(argv[2]));
    else
        printf("linux-bench: unknown command or wrong arguments: %s\n", what);
    return r;
}
