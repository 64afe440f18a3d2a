// Task-file encoding of the read, write and flush commands.
#include "ata/ide_task_file.h"
#include "base/status.h"

#include "ata/ata_layout.h"

namespace ata::ide {

using base::status::invalid_argument;

static uint8_t byte(uint64_t v, unsigned index)
{
    return static_cast<uint8_t>(v >> (8 * index));
}

static uint8_t command_for(Protocol protocol, bool read, bool lba48)
{
    switch (protocol) {
    case Protocol::Pio:
        if (lba48)
            return read ? command::read_sectors_ext : command::write_sectors_ext;
        return read ? command::read_sectors : command::write_sectors;
    case Protocol::PioMultiple:
        if (lba48)
            return read ? command::read_multiple_ext : command::write_multiple_ext;
        return read ? command::read_multiple : command::write_multiple;
    case Protocol::Dma:
        break;
    }
    if (lba48)
        return read ? command::read_dma_ext : command::write_dma_ext;
    return read ? command::read_dma : command::write_dma;
}

base::Result<Registers> transfer(
    Direction direction, Protocol protocol, uint64_t lba, uint32_t count, bool device_lba48)
{
    if (count == 0)
        return base::Error(invalid_argument, "a transfer of no sectors");
    Registers t;
    bool read = direction == Direction::Read;
    if (count <= max_sectors_lba28 && lba < lba28_limit && lba + count <= lba28_limit) {
        t.current.count = static_cast<uint8_t>(count); // 256 becomes 0, as the device reads it
        t.current.lba_low = byte(lba, 0);
        t.current.lba_mid = byte(lba, 1);
        t.current.lba_high = byte(lba, 2);
        t.device = device_bits::lba | (byte(lba, 3) & 0x0f);
        t.command = command_for(protocol, read, false);
        return t;
    }
    if (!device_lba48)
        return base::Error(invalid_argument, "the sectors lie beyond 28-bit addressing and the device has no 48-bit");
    if (count > max_sectors_lba48 || lba >= lba48_limit || lba + count > lba48_limit)
        return base::Error(invalid_argument, "the transfer does not fit one 48-bit command");
    t.lba48 = true;
    t.current.count = byte(count, 0); // 65536 becomes 0 in both bytes
    t.previous.count = byte(count, 1);
    t.current.lba_low = byte(lba, 0);
    t.current.lba_mid = byte(lba, 1);
    t.current.lba_high = byte(lba, 2);
    t.previous.lba_low = byte(lba, 3);
    t.previous.lba_mid = byte(lba, 4);
    t.previous.lba_high = byte(lba, 5);
    t.device = device_bits::lba;
    t.command = command_for(protocol, read, true);
    return t;
}

Registers flush(bool device_lba48)
{
    Registers t = simple(device_lba48 ? command::flush_cache_ext : command::flush_cache);
    t.lba48 = device_lba48;
    return t;
}

Registers simple(uint8_t code)
{
    Registers t;
    t.command = code;
    return t;
}

Registers set_multiple_mode(uint8_t sectors)
{
    Registers t = simple(command::set_multiple_mode);
    t.current.count = sectors;
    return t;
}

uint8_t multiple_block_sectors(uint16_t identify_word_47, uint8_t limit)
{
    unsigned most = identify_word_47 & 0xff;
    if (most > limit)
        most = limit;
    unsigned sectors = 1;
    while (sectors * 2 <= most)
        sectors *= 2;
    return sectors >= 2 ? static_cast<uint8_t>(sectors) : 0;
}

} // namespace ata::ide
