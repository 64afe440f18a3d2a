// fs.defs served: the MIG demux of the file protocol, registered with the link's server, and
// the NodeServer its functions call.
#pragma once

#include "node_server.h"

extern "C" boolean_t fs_server(mach_msg_header_t* request, mach_msg_header_t* reply);
// fs_server behind a check that every in-line string of a file-protocol request holds its zero
// within its own bytes (else MIG_BAD_ARGUMENTS): what the server's demux is.
extern "C" boolean_t fs_checked_server(mach_msg_header_t* request, mach_msg_header_t* reply);

namespace ext2fs {
// From now on the file protocol's requests go to server.
void serve_protocol(NodeServer& server);
// Whether every in-line C string of the message has a zero within its own bytes (and at most
// FS_PATH_MAX + 1 of them).
bool strings_terminated(const mach_msg_header_t* message);
} // namespace ext2fs
