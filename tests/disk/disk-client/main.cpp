// disk-client: the disk tests' client of rumpdisk. It takes ext2fs's place in the chain, so its
// device master is rumpdisk's port, and runs one test through Mach's device interface:
//   --test=read-all  --device=wdN [--chunk=BYTES]    read the whole volume, check every stamp
//   --test=write     --device=wdN --ranges=L:N,...   write generation-1 stamps at those ranges
//   --test=volumes   --expect=NAME:FIRST:COUNT,...   partitions have those sizes and contents
//   --test=faults    --device=wdN --bad=FIRST:COUNT  exactly those sectors fail, the rest read
//   --test=requests  --device=wdN                     bad requests get their errors
//   --test=handles   --device=wdN                     handles of wdN and its partitions wdNs1, wdNs2
//   --test=bench     --device=wdN [--megabytes=N]     throughput table
// Several tests run in one boot when --test lists them (--test=volumes,handles).
// It prints what it checked and powers off with 0 when every check passed, else 1.
#include "base/options.h"
#include "chain/link.h"
#include "runtime/clock.h"
#include "runtime/console.h"
#include "runtime/power.h"
#include "stamp.h"

namespace {

constexpr int sector_size = 512;
unsigned g_failures = 0;
unsigned g_checks = 0;

template<typename... Args> void check(bool ok, base::StringView fmt, const Args&... args)
{
    ++g_checks;
    if (ok)
        return;
    ++g_failures;
    base::format(runtime::console(), "disk-client: FAIL: ");
    base::format(runtime::console(), fmt, args...);
    runtime::console().put('\n');
}

struct Device {
    mach_port_t port = MACH_PORT_NULL;
    uint64_t records = 0;
};

kern_return_t open_device(base::StringView name, dev_mode_t mode, Device& out)
{
    char buffer[128] = {};
    for (size_t i = 0; i < name.size() && i < 127; ++i)
        buffer[i] = name[i];
    kern_return_t r = device_open(runtime::privileged_ports().device_master, mode, buffer, &out.port);
    if (r)
        return r;
    int status[DEV_GET_RECORDS_COUNT] = {};
    mach_msg_type_number_t count = DEV_GET_RECORDS_COUNT;
    r = device_get_status(out.port, DEV_GET_RECORDS, status, &count);
    if (r)
        return r;
    out.records = static_cast<uint32_t>(status[DEV_GET_RECORDS_DEVICE_RECORDS]);
    return KERN_SUCCESS;
}

// Reads `bytes` at `recnum`; the data, if any, is left in *data for the caller to release.
kern_return_t read(const Device& d, uint64_t recnum, int bytes, uint8_t** data, mach_msg_type_number_t* count)
{
    io_buf_ptr_t buffer = nullptr;
    kern_return_t r = device_read(d.port, 0, recnum, bytes, &buffer, count);
    *data = reinterpret_cast<uint8_t*>(buffer);
    return r;
}

void release(uint8_t* data, mach_msg_type_number_t count)
{
    if (data)
        vm_deallocate(mach_task_self(), reinterpret_cast<vm_address_t>(data), count);
}

// Reads [first, first + sectors) of the device in requests of `chunk` bytes and checks that
// sector i of the device holds the stamp of disk LBA base + i.
uint64_t read_and_verify(const Device& d, uint64_t first, uint64_t sectors, uint64_t base, unsigned chunk)
{
    uint64_t verified = 0;
    unsigned reported = 0;
    for (uint64_t at = first; at < first + sectors;) {
        uint64_t n = first + sectors - at;
        if (n > chunk / sector_size)
            n = chunk / sector_size;
        uint8_t* data;
        mach_msg_type_number_t count;
        kern_return_t r = read(d, at, static_cast<int>(n * sector_size), &data, &count);
        check(r == KERN_SUCCESS, "read of {} sectors at {}: {}", n, at, base::Status { r });
        if (r)
            return verified;
        check(count == n * sector_size, "read at {} returned {} bytes, not {}", at, count, n * sector_size);
        // The reply is page-rounded: what lies past the data must be zeros, never stale memory.
        size_t rounded = (size_t(count) + 0xfff) & ~size_t(0xfff);
        for (size_t i = count; i < rounded; ++i) {
            if (data[i]) {
                check(false, "read at {}: byte {} past the data is {:#x}, not zero", at, i, data[i]);
                break;
            }
        }
        for (uint64_t i = 0; i < n && (i + 1) * sector_size <= count; ++i) {
            bool ok = stamp::matches(data + i * sector_size, base + at + i, 0);
            if (!ok && reported++ < 5)
                check(
                    false, "sector {}: holds the stamp of LBA {}", at + i, stamp::claimed_lba(data + i * sector_size));
            else if (!ok)
                ++g_failures;
            verified += ok;
        }
        release(data, count);
        at += n;
    }
    return verified;
}

// "A:B,C:D" into pairs; false on a malformed list.
template<size_t N> bool parse_pairs(base::StringView text, uint64_t (&a)[N], uint64_t (&b)[N], size_t& count)
{
    count = 0;
    while (!text.empty()) {
        size_t comma = text.find(',');
        base::StringView item = text.substr(0, comma);
        text = text.substr(comma == text.size() ? comma : comma + 1);
        size_t colon = item.find(':');
        unsigned long long x, y;
        if (colon == item.size() || !base::parse_unsigned(item.substr(0, colon), x)
            || !base::parse_unsigned(item.substr(colon + 1), y) || count == N)
            return false;
        a[count] = x;
        b[count] = y;
        ++count;
    }
    return true;
}

void test_read_all(base::StringView name, unsigned chunk)
{
    Device d;
    kern_return_t r = open_device(name, D_READ, d);
    check(r == KERN_SUCCESS, "opening {}: {}", name, base::Status { r });
    if (r)
        return;
    uint64_t verified = read_and_verify(d, 0, d.records, 0, chunk);
    runtime::println(
        "disk-client: verified {} of {} sectors of {} in requests of {} bytes", verified, d.records, name, chunk);
    check(verified == d.records, "only {} of {} sectors verified", verified, d.records);
    device_close(d.port);
}

void test_write(base::StringView name, base::StringView ranges)
{
    uint64_t first[32] = {}, count[32] = {};
    size_t n;
    check(parse_pairs(ranges, first, count, n) && n > 0, "bad --ranges '{}'", ranges);
    Device d;
    kern_return_t r = open_device(name, D_READ | D_WRITE, d);
    check(r == KERN_SUCCESS, "opening {} for writing: {}", name, base::Status { r });
    if (r)
        return;
    for (size_t i = 0; i < n; ++i) {
        vm_address_t buffer = 0;
        vm_size_t bytes = count[i] * sector_size;
        if (vm_allocate(mach_task_self(), &buffer, bytes, TRUE) != KERN_SUCCESS) {
            check(false, "no memory for {} bytes", bytes);
            return;
        }
        for (uint64_t s = 0; s < count[i]; ++s)
            stamp::make(reinterpret_cast<uint8_t*>(buffer) + s * sector_size, first[i] + s, 1);
        int written = 0;
        r = device_write(d.port, 0, first[i], reinterpret_cast<io_buf_ptr_t>(buffer), bytes, &written);
        check(r == KERN_SUCCESS && written == static_cast<int>(bytes), "write of {} sectors at {}: {} ({} bytes)",
            count[i], first[i], base::Status { r }, written);
        vm_deallocate(mach_task_self(), buffer, bytes);
        // Read it back through the server too.
        uint8_t* data;
        mach_msg_type_number_t got;
        r = read(d, first[i], static_cast<int>(bytes), &data, &got);
        bool same = r == KERN_SUCCESS && got == bytes;
        for (uint64_t s = 0; same && s < count[i]; ++s)
            same = stamp::matches(data + s * sector_size, first[i] + s, 1);
        check(same, "reading back {} sectors at {}: {}", count[i], first[i], base::Status { r });
        release(data, got);
    }
    runtime::println("disk-client: wrote {} ranges of {}", n, name);
    r = device_close(d.port);
    check(r == KERN_SUCCESS, "closing {} (flushes the cache): {}", name, base::Status { r });
}

void test_volumes(base::StringView expect)
{
    // NAME:FIRST:COUNT triples; names are short, so parse by hand.
    size_t volumes = 0;
    while (!expect.empty()) {
        size_t comma = expect.find(',');
        base::StringView item = expect.substr(0, comma);
        expect = expect.substr(comma == expect.size() ? comma : comma + 1);
        size_t c1 = item.find(':');
        base::StringView name = item.substr(0, c1);
        base::StringView rest = item.substr(c1 + 1);
        size_t c2 = rest.find(':');
        unsigned long long first, count;
        if (c1 == item.size() || c2 == rest.size() || !base::parse_unsigned(rest.substr(0, c2), first)
            || !base::parse_unsigned(rest.substr(c2 + 1), count)) {
            check(false, "bad --expect item '{}'", item);
            return;
        }
        ++volumes;
        Device d;
        kern_return_t r = open_device(name, D_READ, d);
        check(r == KERN_SUCCESS, "opening {}: {}", name, base::Status { r });
        if (r)
            continue;
        check(d.records == count, "{} has {} records, not {}", name, d.records, count);
        // Its first and last sectors are the disk's sectors first and first + count - 1.
        uint64_t head = count < 8 ? count : 8;
        uint64_t ok = read_and_verify(d, 0, head, first, 64 * 1024);
        ok += read_and_verify(d, count - head, head, first, 64 * 1024);
        check(ok == 2 * head, "{}: its first and last sectors are not the disk's {} and {}", name, first,
            first + count - 1);
        // Never outside itself: at its end, and straddling it.
        uint8_t* data;
        mach_msg_type_number_t got;
        r = read(d, count, sector_size, &data, &got);
        check(r == D_INVALID_RECNUM, "{}: a read at record {} (its end) gave {}, not D_INVALID_RECNUM", name, count,
            base::Status { r });
        release(data, r ? 0 : got);
        r = read(d, count - 1, 2 * sector_size, &data, &got);
        check(
            r == D_INVALID_RECNUM, "{}: a read across its end gave {}, not D_INVALID_RECNUM", name, base::Status { r });
        release(data, r ? 0 : got);
        runtime::println("disk-client: {} is sectors {}-{} of the disk", name, first, first + count - 1);
        device_close(d.port);
        mach_port_deallocate(mach_task_self(), d.port);
    }
    check(volumes > 0, "no volumes to check");
}

void test_faults(base::StringView name, base::StringView bad)
{
    uint64_t bad_first[1] = {}, bad_count[1] = {};
    size_t n;
    if (!parse_pairs(bad, bad_first, bad_count, n) || n != 1) {
        check(false, "bad --bad '{}'", bad);
        return;
    }
    uint64_t lo = bad_first[0], hi = bad_first[0] + bad_count[0];
    Device d;
    kern_return_t r = open_device(name, D_READ, d);
    check(r == KERN_SUCCESS, "opening {}: {}", name, base::Status { r });
    if (r)
        return;
    // Sector by sector around the bad range: exactly the bad sectors fail.
    uint64_t from = lo > 16 ? lo - 16 : 0;
    uint64_t to = hi + 16 < d.records ? hi + 16 : d.records;
    unsigned failed = 0;
    for (uint64_t s = from; s < to; ++s) {
        uint8_t* data;
        mach_msg_type_number_t got;
        r = read(d, s, sector_size, &data, &got);
        bool in_bad = s >= lo && s < hi;
        if (in_bad) {
            check(r == D_IO_ERROR, "sector {} is in the bad range but read gave {}", s, base::Status { r });
            failed += r == D_IO_ERROR;
        } else {
            check(r == KERN_SUCCESS && got == sector_size && stamp::matches(data, s, 0),
                "sector {} is outside the bad range but read gave {}", s, base::Status { r });
        }
        release(data, r ? 0 : got);
    }
    // A large request that covers the bad range fails as a whole...
    uint8_t* data;
    mach_msg_type_number_t got;
    r = read(d, from, static_cast<int>((to - from) * sector_size), &data, &got);
    check(r == D_IO_ERROR, "a request across the bad range gave {}", base::Status { r });
    release(data, r ? 0 : got);
    // ...and afterwards every other sector still reads right.
    uint64_t ok = read_and_verify(d, 0, lo, 0, 256 * 1024) + read_and_verify(d, hi, d.records - hi, 0, 256 * 1024);
    check(ok == d.records - (hi - lo), "after the errors, {} of {} good sectors read right", ok, d.records - (hi - lo));
    runtime::println("disk-client: {} sectors failed with D_IO_ERROR, {} others read right", failed, ok);
    device_close(d.port);
}

// A short-form, in-line type descriptor.
mach_msg_type_t inline_type(unsigned name, unsigned bits, unsigned number)
{
    mach_msg_type_t t {};
    t.msgt_name = name;
    t.msgt_size = bits;
    t.msgt_number = number;
    t.msgt_inline = TRUE;
    return t;
}

// MIG's reply header with its return code.
struct ReplyHead {
    mach_msg_header_t head;
    mach_msg_type_t ret_type;
    kern_return_t ret;
};

// device_write_inband (2803) built by hand, with `bytes` of data in band whatever the 128 bytes
// of io_buf_ptr_inband_t say: MIG's stub would not send it. Returns the server's answer.
kern_return_t forged_write_inband(mach_port_t device, recnum_t recnum, unsigned bytes)
{
    struct Request {
        mach_msg_header_t head;
        mach_msg_type_t mode_type;
        dev_mode_t mode;
        char mode_pad[4];
        mach_msg_type_t recnum_type;
        recnum_t recnum;
        mach_msg_type_t data_type;
        char data[512];
    };
    static_assert(__builtin_offsetof(Request, data) == 72, "device_write_inband's layout");
    union {
        Request request;
        ReplyHead reply;
        char room[1024];
    } m;
    if (bytes > sizeof m.request.data)
        return KERN_INVALID_ARGUMENT;
    __builtin_memset(&m, 0, sizeof m);
    m.request.mode_type = inline_type(MACH_MSG_TYPE_INTEGER_32, 32, 1);
    m.request.recnum_type = inline_type(MACH_MSG_TYPE_INTEGER_64, 64, 1);
    m.request.recnum = recnum;
    m.request.data_type = inline_type(MACH_MSG_TYPE_CHAR, 8, bytes);
    __builtin_memset(m.request.data, 0xab, bytes);
    mach_port_t reply = mig_get_reply_port();
    m.request.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    m.request.head.msgh_size = static_cast<mach_msg_size_t>(72 + ((bytes + 7) & ~7u));
    m.request.head.msgh_remote_port = device;
    m.request.head.msgh_local_port = reply;
    m.request.head.msgh_id = 2803;
    kern_return_t r = mach_msg(
        &m.request.head, MACH_SEND_MSG | MACH_RCV_MSG, m.request.head.msgh_size, sizeof m, reply, 0, MACH_PORT_NULL);
    return r ? r : m.reply.ret;
}

// device_open (2800) of `name`, built by hand with a reply port that is destroyed as soon as
// the request is sent: the handle the server makes can never be delivered.
kern_return_t open_dropping_reply(base::StringView name, dev_mode_t mode)
{
    struct Request {
        mach_msg_header_t head;
        mach_msg_type_t mode_type;
        dev_mode_t mode;
        char mode_pad[4];
        mach_msg_type_long_t name_type;
        dev_name_t name;
    };
    static_assert(sizeof(Request) == 184, "device_open's layout");
    Request m;
    __builtin_memset(&m, 0, sizeof m);
    m.mode_type = inline_type(MACH_MSG_TYPE_INTEGER_32, 32, 1);
    m.mode = mode;
    m.name_type.msgtl_inline = TRUE;
    m.name_type.msgtl_longform = TRUE;
    m.name_type.msgtl_name = MACH_MSG_TYPE_STRING_C;
    m.name_type.msgtl_size = 1024;
    m.name_type.msgtl_number = 1;
    for (size_t i = 0; i < name.size() && i < sizeof m.name - 1; ++i)
        m.name[i] = name[i];
    mach_port_t reply = MACH_PORT_NULL;
    if (kern_return_t r = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply))
        return r;
    m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    m.head.msgh_size = sizeof m;
    m.head.msgh_remote_port = runtime::privileged_ports().device_master;
    m.head.msgh_local_port = reply;
    m.head.msgh_id = 2800;
    kern_return_t r = mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0, MACH_PORT_NULL);
    mach_port_mod_refs(mach_task_self(), reply, MACH_PORT_RIGHT_RECEIVE, -1);
    return r;
}

void close_device(Device& d)
{
    device_close(d.port);
    mach_port_deallocate(mach_task_self(), d.port);
    d.port = MACH_PORT_NULL;
}

// The handles of rumpdisk: one per open, each closed on its own, writers exclusive over
// overlapping volumes, every handle freed when its client lets go (deallocates it, or its
// reply was never delivered), and a per-volume cap (servers/rumpdisk/block_server.h).
void test_handles(base::StringView whole)
{
    constexpr unsigned table_size = 64, per_volume = 16;
    auto part1 = base::formatted<16>("{}s1", whole);
    auto part2 = base::formatted<16>("{}s2", whole);
    // Sectors 64-127 of the disk hold their stamps (the partition table is in sector 0).
    auto reads = [](const Device& d) { return read_and_verify(d, 64, 64, 0, 32 * 1024) == 64; };

    Device a, b;
    kern_return_t ra = open_device(whole, D_READ, a);
    kern_return_t rb = open_device(whole, D_READ, b);
    check(ra == KERN_SUCCESS && rb == KERN_SUCCESS, "opening {} twice gave {} and {}", whole, base::Status { ra },
        base::Status { rb });
    if (ra || rb)
        return;
    check(a.port != b.port, "two opens of {} gave one port", whole);
    kern_return_t r = device_close(a.port);
    check(r == KERN_SUCCESS, "closing the first handle gave {}", base::Status { r });
    check(reads(b), "after closing the first handle, the second does not read");
    uint8_t* data;
    mach_msg_type_number_t got;
    r = read(a, 64, sector_size, &data, &got);
    check(r == D_NO_SUCH_DEVICE, "a read on the closed handle gave {}", base::Status { r });
    release(data, r ? 0 : got);
    r = device_close(a.port);
    check(r == D_NO_SUCH_DEVICE, "a second close of one handle gave {}", base::Status { r });
    check(reads(b), "after a second close of the first handle, the second does not read");
    mach_port_deallocate(mach_task_self(), a.port);

    // One writer over overlapping volumes; readers are never refused.
    Device w, w2, ro1, ro2, other;
    r = open_device(whole, D_READ | D_WRITE, w);
    check(r == KERN_SUCCESS, "opening {} for writing gave {}", whole, base::Status { r });
    r = open_device(whole, D_READ | D_WRITE, other);
    check(r == D_ALREADY_OPEN, "a second writer of {} gave {}", whole, base::Status { r });
    r = open_device(part1.view(), D_READ | D_WRITE, other);
    check(r == D_ALREADY_OPEN, "a writer of {} while {} is open for writing gave {}", part1, whole, base::Status { r });
    r = open_device(part1.view(), D_READ, ro1);
    check(r == KERN_SUCCESS, "a reader of {} while {} is open for writing gave {}", part1, whole, base::Status { r });
    r = open_device(whole, D_READ, ro2);
    check(r == KERN_SUCCESS && reads(ro2), "a reader of {} beside its writer gave {}", whole, base::Status { r });
    close_device(w);
    r = open_device(part1.view(), D_READ | D_WRITE, w);
    check(r == KERN_SUCCESS, "a writer of {} after {}'s writer closed gave {}", part1, whole, base::Status { r });
    r = open_device(whole, D_READ | D_WRITE, other);
    check(r == D_ALREADY_OPEN, "a writer of {} while {} is open for writing gave {}", whole, part1, base::Status { r });
    r = open_device(part2.view(), D_READ | D_WRITE, w2);
    check(r == KERN_SUCCESS, "a writer of {} beside {}'s (they do not overlap) gave {}", part2, part1,
        base::Status { r });
    // The new writer writes: record 0 of the partition, back as it was, flushed.
    if (MACH_PORT_VALID(w.port)) {
        r = read(w, 0, sector_size, &data, &got);
        check(r == KERN_SUCCESS && got == sector_size, "reading record 0 of {} gave {}", part1, base::Status { r });
        if (r == KERN_SUCCESS) {
            int written = 0;
            r = device_write(
                w.port, 0x100 /* write_flush */, 0, reinterpret_cast<io_buf_ptr_t>(data), sector_size, &written);
            check(r == KERN_SUCCESS && written == sector_size, "writing record 0 of {} gave {}", part1,
                base::Status { r });
            release(data, got);
        }
        close_device(w);
    }
    if (MACH_PORT_VALID(w2.port))
        close_device(w2);
    close_device(ro1);
    close_device(ro2);
    r = open_device(whole, D_READ | D_WRITE, w);
    check(r == KERN_SUCCESS, "a writer of {} after every writer closed gave {}", whole, base::Status { r });
    if (r == KERN_SUCCESS)
        close_device(w);

    // A client that lets go of its right frees the handle: far more opens than the table holds.
    unsigned opened = 0;
    for (unsigned i = 0; i < 3 * table_size; ++i) {
        mach_port_t port = MACH_PORT_NULL;
        char buffer[128] = {};
        __builtin_memcpy(buffer, whole.data(), whole.size() < 127 ? whole.size() : 127);
        if (device_open(runtime::privileged_ports().device_master, D_READ, buffer, &port) == KERN_SUCCESS) {
            ++opened;
            mach_port_deallocate(mach_task_self(), port);
        }
    }
    check(opened == 3 * table_size, "only {} of {} open-and-deallocate rounds opened", opened, 3 * table_size);
    // So does a reply that was never delivered.
    unsigned sent = 0;
    for (unsigned i = 0; i < 2 * table_size; ++i) {
        sent += open_dropping_reply(whole, D_READ) == KERN_SUCCESS;
        // A round trip, so that the server has dealt with the request before the next one.
        int status[DEV_GET_RECORDS_COUNT];
        mach_msg_type_number_t count = DEV_GET_RECORDS_COUNT;
        device_get_status(b.port, DEV_GET_RECORDS, status, &count);
    }
    check(sent == 2 * table_size, "only {} of {} opens with a dead reply port were sent", sent, 2 * table_size);
    r = open_device(whole, D_READ, a);
    check(r == KERN_SUCCESS && reads(a), "after {} handles let go and {} replies dropped, an open gave {}",
        3 * table_size, 2 * table_size, base::Status { r });
    if (r == KERN_SUCCESS)
        close_device(a);

    // The per-volume cap: b holds one handle of the volume, so per_volume - 1 more open.
    Device held[table_size];
    unsigned n = 0;
    r = KERN_SUCCESS;
    while (n < table_size) {
        r = open_device(whole, D_READ, held[n]);
        if (r)
            break;
        ++n;
    }
    check(n + 1 == per_volume && r == D_NO_MEMORY, "{} handles of {} opened, then {}; the cap is {}", n + 1, whole,
        base::Status { r }, per_volume);
    r = open_device(part2.view(), D_READ, other);
    check(r == KERN_SUCCESS, "with {} at its cap, opening {} gave {}", whole, part2, base::Status { r });
    if (r == KERN_SUCCESS)
        close_device(other);
    for (unsigned i = 0; i < n; ++i)
        mach_port_deallocate(mach_task_self(), held[i].port);
    r = open_device(whole, D_READ, a);
    check(r == KERN_SUCCESS, "after letting go of the capped handles, an open gave {}", base::Status { r });
    if (r == KERN_SUCCESS)
        close_device(a);
    check(reads(b), "after all that, the first handle does not read");
    close_device(b);
    runtime::println("disk-client: handles checked, server still serving");
}

void test_requests(base::StringView name)
{
    Device ro, rw;
    kern_return_t r = open_device("wd-no-such", D_READ, ro);
    check(r == D_NO_SUCH_DEVICE, "an unknown name gave {}", base::Status { r });
    r = open_device(name, D_READ, ro);
    check(r == KERN_SUCCESS, "opening {}: {}", name, base::Status { r });
    r = open_device(name, D_READ | D_WRITE, rw);
    check(r == KERN_SUCCESS, "opening {} for writing: {}", name, base::Status { r });
    if (!MACH_PORT_VALID(ro.port) || !MACH_PORT_VALID(rw.port))
        return;

    uint8_t* data;
    mach_msg_type_number_t got;
    for (int bytes : { 1, 100, 511, 513, 4095 }) {
        r = read(ro, 0, bytes, &data, &got);
        check(r == D_INVALID_SIZE, "a read of {} bytes gave {}", bytes, base::Status { r });
    }
    r = read(ro, 0, -512, &data, &got);
    check(r == D_INVALID_SIZE, "a read of -512 bytes gave {}", base::Status { r });
    r = read(ro, 0, 64 << 20, &data, &got);
    check(r == D_INVALID_SIZE, "a read of 64 MiB (over the limit) gave {}", base::Status { r });
    r = read(ro, ro.records, sector_size, &data, &got);
    check(r == D_INVALID_RECNUM, "a read at the end gave {}", base::Status { r });
    r = read(ro, 0xffffffffu, sector_size, &data, &got);
    check(r == D_INVALID_RECNUM, "a read at record 0xffffffff gave {}", base::Status { r });
    r = read(ro, 0, 0, &data, &got);
    check(r == KERN_SUCCESS && got == 0, "an empty read gave {} and {} bytes", base::Status { r }, got);

    char sector[sector_size] = {};
    int written = 0;
    r = device_write(ro.port, 0, 0, sector, sector_size, &written);
    check(r == D_READ_ONLY, "a write on a read-only open gave {}", base::Status { r });
    r = device_write(rw.port, 0, rw.records, sector, sector_size, &written);
    check(r == D_INVALID_RECNUM, "a write at the end gave {}", base::Status { r });
    r = device_write(rw.port, 0, 0, sector, 100, &written);
    check(r == D_INVALID_SIZE, "a write of 100 bytes gave {}", base::Status { r });
    r = device_write(rw.port, 0, 0, nullptr, 0, &written);
    check(r == KERN_SUCCESS && written == 0, "an empty write gave {}", base::Status { r });
    r = device_write_inband(rw.port, 0, 0, sector, 128, &written);
    check(r == D_INVALID_SIZE, "an in-band write of 128 bytes (not a record) gave {}", base::Status { r });
    r = device_write_inband(rw.port, 0, 0, sector, 0, &written);
    check(r == KERN_SUCCESS && written == 0, "an empty in-band write gave {}", base::Status { r });
    // Over the 128 bytes of io_buf_ptr_inband_t, which MIG's checks let through: a whole
    // sector (which would be written if the bound were not checked) and one byte too many.
    for (unsigned bytes : { 512u, 129u }) {
        r = forged_write_inband(rw.port, 0, bytes);
        check(r == D_INVALID_SIZE, "a forged in-band write of {} bytes gave {}", bytes, base::Status { r });
    }
    r = read(ro, 0, sector_size, &data, &got);
    check(r == KERN_SUCCESS && got == sector_size && stamp::matches(data, 0, 0),
        "after the forged in-band writes, sector 0 no longer holds its stamp ({})", base::Status { r });
    release(data, r ? 0 : got);

    char inband[128];
    got = sizeof inband;
    r = device_read_inband(ro.port, 0, 5, 128, inband, &got);
    check(r == KERN_SUCCESS && got == 128 && stamp::claimed_lba(reinterpret_cast<uint8_t*>(inband)) == 5,
        "an in-band read of record 5 gave {} ({} bytes)", base::Status { r }, got);
    for (int bytes : { 129, 512, -1 }) {
        got = sizeof inband;
        r = device_read_inband(ro.port, 0, 5, bytes, inband, &got);
        check(r == D_INVALID_SIZE, "an in-band read of {} bytes gave {}", bytes, base::Status { r });
    }
    // A name as long as dev_name_t allows, without a terminator of its own (the stub cuts it).
    char long_name[128];
    __builtin_memset(long_name, 'w', sizeof long_name);
    mach_port_t unused = MACH_PORT_NULL;
    r = device_open(runtime::privileged_ports().device_master, D_READ, long_name, &unused);
    check(r == D_NO_SUCH_DEVICE, "a 128-byte name gave {}", base::Status { r });

    int status[4];
    mach_msg_type_number_t count = 1;
    r = device_get_status(ro.port, DEV_GET_RECORDS, status, &count);
    check(r == D_INVALID_SIZE, "DEV_GET_RECORDS with room for 1 int gave {}", base::Status { r });
    count = 4;
    r = device_get_status(ro.port, 77, status, &count);
    check(r == D_INVALID_OPERATION, "an unknown status flavor gave {}", base::Status { r });
    count = DEV_GET_SIZE_COUNT;
    r = device_get_status(ro.port, DEV_GET_SIZE, status, &count);
    check(r == KERN_SUCCESS && status[1] == sector_size && uint64_t(status[0]) == ro.records * sector_size,
        "DEV_GET_SIZE gave {}: {} bytes, records of {}", base::Status { r }, status[0], status[1]);
    r = device_set_status(rw.port, 2 /* DEV_FLUSH_CACHE */, status, 0);
    check(r == KERN_SUCCESS, "DEV_FLUSH_CACHE gave {}", base::Status { r });
    r = device_set_status(rw.port, 0x125f /* BLKRRPART */, status, 0);
    check(r == KERN_SUCCESS, "BLKRRPART gave {}", base::Status { r });

    // A malformed message (an id the server does not know, no body) is answered, not fatal.
    struct {
        mach_msg_header_t head;
        mach_msg_type_t ret_type;
        kern_return_t ret;
    } message {};
    message.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    message.head.msgh_size = sizeof(mach_msg_header_t);
    message.head.msgh_remote_port = ro.port;
    message.head.msgh_local_port = mig_get_reply_port();
    message.head.msgh_id = 2899;
    r = mach_msg(&message.head, MACH_SEND_MSG | MACH_RCV_MSG, sizeof(mach_msg_header_t), sizeof message,
        message.head.msgh_local_port, 0, MACH_PORT_NULL);
    check(r == KERN_SUCCESS && message.ret == MIG_BAD_ID, "a message with id 2899 gave {} / {}", base::Status { r },
        base::Status { message.ret });
    // A device_read whose body is cut short is refused by the server's type checks.
    message.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    message.head.msgh_size = sizeof(mach_msg_header_t);
    message.head.msgh_remote_port = ro.port;
    message.head.msgh_local_port = mig_get_reply_port();
    message.head.msgh_id = 2804;
    r = mach_msg(&message.head, MACH_SEND_MSG | MACH_RCV_MSG, sizeof(mach_msg_header_t), sizeof message,
        message.head.msgh_local_port, 0, MACH_PORT_NULL);
    check(r == KERN_SUCCESS && message.ret == MIG_BAD_ARGUMENTS, "a device_read without a body gave {} / {}",
        base::Status { r }, base::Status { message.ret });

    // After all that, the server still serves.
    uint64_t ok = read_and_verify(ro, 0, 64, 0, 32 * 1024);
    check(ok == 64, "after the bad requests, {} of 64 sectors read right", ok);

    r = device_close(ro.port);
    check(r == KERN_SUCCESS, "closing the read-only handle gave {}", base::Status { r });
    r = read(ro, 0, sector_size, &data, &got);
    check(r == D_NO_SUCH_DEVICE, "a read on a closed handle gave {}", base::Status { r });
    release(data, r ? 0 : got);
    r = device_close(rw.port);
    check(r == KERN_SUCCESS, "closing the writable handle gave {}", base::Status { r });
    mach_port_deallocate(mach_task_self(), ro.port);
    mach_port_deallocate(mach_task_self(), rw.port);
    runtime::println("disk-client: bad requests answered, server still serving");
}

// "12.34" from a rate in thousandths, right-aligned in the table's column.
base::BoundedString<16> rate(uint64_t thousandths)
{
    return base::formatted<16>("{}.{:02}", thousandths / 1000, thousandths % 1000 / 10);
}

// The table's row, then the same measure in the form tests/bench reads from both the chain and
// Linux (the row's name there is "raw " and this one's).
void print_row(base::StringView what, uint64_t bytes, uint64_t requests, uint64_t ns)
{
    if (ns == 0)
        ns = 1;
    uint64_t kb_per_s = bytes * 1000000ULL / ns; // bytes/ns * 1e6 = KB/s (decimal)
    runtime::println("bench: {:<16} {:>10} {:>12}", what, rate(kb_per_s), requests * 1000000000ULL / ns);
    runtime::println(
        "bench-row: {}{} ns={} bytes={} count={}", what.starts_with("seq") ? "raw " : "", what, ns, bytes, requests);
}

void test_bench(base::StringView name, unsigned megabytes)
{
    Device d;
    kern_return_t r = open_device(name, D_READ, d);
    check(r == KERN_SUCCESS, "opening {}: {}", name, base::Status { r });
    if (r)
        return;
    uint64_t total = uint64_t(megabytes) << 20;
    if (total > d.records * sector_size)
        total = d.records * sector_size / (1 << 20) * (1 << 20);
    runtime::println("bench: {} on rumpdisk, {} MiB sequential", name, total >> 20);
    runtime::println("bench: {:<16} {:>10} {:>12}", "request", "MB/s", "requests/s");
    for (unsigned size : { 4096u, 65536u, 1048576u }) {
        uint64_t start = runtime::uptime_ns();
        uint64_t requests = 0;
        for (uint64_t at = 0; at < total; at += size) {
            uint8_t* data;
            mach_msg_type_number_t got;
            r = read(d, at / sector_size, static_cast<int>(size), &data, &got);
            if (r) {
                check(false, "bench read at {}: {}", at, base::Status { r });
                return;
            }
            release(data, got);
            ++requests;
        }
        print_row(size >= 1048576 ? "seq 1 MiB"
                : size >= 65536   ? "seq 64 KiB"
                                  : "seq 4 KiB",
            total, requests, runtime::uptime_ns() - start);
    }
    // Random 4 KiB reads over the same area, from a fixed sequence (xorshift).
    uint64_t x = 88172645463325252ULL;
    uint64_t slots = total / 4096;
    unsigned count = 2000;
    uint64_t start = runtime::uptime_ns();
    for (unsigned i = 0; i < count; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint8_t* data;
        mach_msg_type_number_t got;
        r = read(d, (x % slots) * 8, 4096, &data, &got);
        if (r) {
            check(false, "bench random read: {}", base::Status { r });
            return;
        }
        release(data, got);
    }
    print_row("random 4 KiB", uint64_t(count) * 4096, count, runtime::uptime_ns() - start);
    device_close(d.port);
}

} // namespace

int module_main(int argc, char** argv)
{
    base::OptionParser options("disk-client");
    base::StringView test, device = "wd0", ranges, expect, bad;
    unsigned long long chunk = 1 << 20, megabytes = 64;
    options.add_text("test", test, "read-all, write, volumes, faults, requests, handles or bench (a list: a,b)");
    options.add_text("device", device, "the volume to test (default wd0)");
    options.add_number("chunk", chunk, "request size of read-all, in bytes");
    options.add_text("ranges", ranges, "write: LBA:SECTORS,...");
    options.add_text("expect", expect, "volumes: NAME:FIRST:COUNT,...");
    options.add_text("bad", bad, "faults: FIRST:COUNT of the failing sectors");
    options.add_number("megabytes", megabytes, "bench: how much to read sequentially");
    auto& link = chain::link();
    auto started = link.start(argc, argv, { "disk-client", {} }, options);
    if (started.is_error())
        link.fail("{}", started.error());
    if (chunk == 0 || chunk % sector_size || chunk > (16 << 20))
        link.fail("--chunk={} is not a positive multiple of {} up to 16 MiB", chunk, sector_size);

    for (base::StringView tests = test; !tests.empty();) {
        size_t comma = tests.find(',');
        base::StringView one = tests.substr(0, comma);
        tests = tests.substr(comma == tests.size() ? comma : comma + 1);
        if (one == "read-all")
            test_read_all(device, static_cast<unsigned>(chunk));
        else if (one == "write")
            test_write(device, ranges);
        else if (one == "volumes")
            test_volumes(expect);
        else if (one == "faults")
            test_faults(device, bad);
        else if (one == "requests")
            test_requests(device);
        else if (one == "handles")
            test_handles(device);
        else if (one == "bench")
            test_bench(device, static_cast<unsigned>(megabytes));
        else
            link.fail("unknown --test '{}'", one);
    }
    if (test.empty())
        link.fail("no --test given");

    runtime::println("disk-client: {} checks, {} failed", g_checks, g_failures);
    runtime::power_off(g_failures ? 1 : 0);
}
