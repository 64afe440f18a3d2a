// Partition volumes. The table parser (lib/partition) is not in the tree yet: until it lands,
// disks are served whole only.
#include "partitions.h"

namespace rumpdisk {

void add_partitions(BlockServer&, const Volume&) {}

} // namespace rumpdisk
