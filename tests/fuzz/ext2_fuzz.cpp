// libFuzzer target for the ext2 library: the input is a whole (small) disk image. It is
// mounted read-write on a private copy; every reachable file, directory and link is read (in
// bounded amounts, the walk bounded against loops); a few changes are made in each directory;
// it is unmounted, then mounted again and walked again, so that the library also meets its own
// output. The library must never crash, hang, or touch the device outside its bounds; errors
// are fine.
#include <stdlib.h>
#include <string.h>

#include "ext2_exercise.h"

using ext2_fuzz::exercise;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2048 || size > (1u << 20))
        return 0;
    uint8_t* image = static_cast<uint8_t*>(malloc(size));
    memcpy(image, data, size);
    exercise(image, size, true);
    exercise(image, size, false); // what the library wrote, read back
    free(image);
    return 0;
}
