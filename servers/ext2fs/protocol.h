// fs.defs served: the MIG demux of the file protocol, registered with the link's server. Its
// functions reach the NodeServer through the node each request came on.
#pragma once

#include "node_server.h"

extern "C" boolean_t fs_server(mach_msg_header_t* request, mach_msg_header_t* reply);
