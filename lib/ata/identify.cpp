// IDENTIFY data decoding.
#include "ata/identify.h"

#include "ata/ata_layout.h"
#include "base/status.h"

namespace ata {

base::BoundedString<41> decode_model(const uint16_t* words)
{
    // Each word holds two characters, the first in the high byte; the field is padded with
    // spaces, which are trimmed.
    char text[identify::model_words * 2];
    for (unsigned i = 0; i < identify::model_words; ++i) {
        uint16_t w = words[identify::model_first + i];
        text[2 * i] = static_cast<char>(w >> 8);
        text[2 * i + 1] = static_cast<char>(w & 0xff);
    }
    size_t begin = 0, end = sizeof text;
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == 0))
        --end;
    while (begin < end && text[begin] == ' ')
        ++begin;
    for (size_t i = begin; i < end; ++i)
        if (text[i] < 0x20 || text[i] > 0x7e)
            text[i] = '?';
    return base::BoundedString<41>(base::StringView(text + begin, end - begin));
}

base::Result<Identity> decode_identify(const uint16_t* words)
{
    Identity id;
    id.model = decode_model(words);
    id.lba = words[identify::capabilities] & (1u << 9);
    id.lba48 = (words[identify::command_sets_supported] & (1u << 10))
        && (words[identify::command_sets_enabled] & (1u << 10));
    if (!id.lba)
        return base::Error(base::status::invalid_argument, "the device does not support LBA addressing");
    uint64_t lba28 = uint64_t(words[identify::lba28_sectors]) | uint64_t(words[identify::lba28_sectors + 1]) << 16;
    uint64_t lba48 = 0;
    for (unsigned i = 0; i < 4; ++i)
        lba48 |= uint64_t(words[identify::lba48_sectors + i]) << (16 * i);
    id.sectors = id.lba48 && lba48 ? lba48 : lba28;
    if (id.sectors == 0)
        return base::Error(base::status::invalid_argument, "the device reports no sectors");
    uint16_t info = words[identify::logical_sector_info];
    if ((info & 0xc000) == 0x4000 && (info & (1u << 12))) {
        uint32_t size_words = uint32_t(words[identify::logical_sector_words])
            | uint32_t(words[identify::logical_sector_words + 1]) << 16;
        uint64_t bytes = uint64_t(size_words) * 2;
        if (bytes < 512 || bytes > 65536 || (bytes & (bytes - 1)))
            return base::Error(base::status::invalid_argument, "the device reports an impossible sector size");
        id.sector_size = static_cast<uint32_t>(bytes);
    }
    return id;
}

} // namespace ata
