// fs.defs served: the MIG demux of the file protocol, registered with the link's server, and
// the NodeServer its functions call.
#pragma once

#include "node_server.h"

extern "C" boolean_t fs_server(mach_msg_header_t* request, mach_msg_header_t* reply);

namespace ext2fs {
// From now on the file protocol's requests go to server.
void serve_protocol(NodeServer& server);
} // namespace ext2fs
