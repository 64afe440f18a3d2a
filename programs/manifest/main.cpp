// manifest: every entry under a directory, depth first in bytewise order of names, one line
// each, so that a test can compare a disk's content with the tree it was made from:
//
//   dir PATH
//   file PATH SIZE SHA256
//   link PATH -> TARGET
//
//   manifest [DIRECTORY]   (default /; each path starts with DIRECTORY as given)
#include "fsclient/status.h"
#include "program/name_list.h"
#include "program/program.h"
#include "program/sha256.h"

namespace {

using base::StringView;

constexpr size_t chunk_size = 64 * 1024;
char g_chunk[chunk_size];
int g_status = 0;

void complain(StringView path, int code)
{
    program::complain("{}: {}", path, program::ErrorText { code });
    g_status = 1;
}

void file_line(const fsclient::Node& node, StringView path, uint64_t size)
{
    program::Sha256 hash;
    for (uint64_t offset = 0;;) {
        auto n = node.read(offset, g_chunk, chunk_size);
        if (n.is_error())
            return complain(path, n.error().code());
        if (n.value() == 0)
            break;
        hash.update(g_chunk, n.value());
        offset += n.value();
    }
    program::println("file {} {} {}", path, size, hash.finish());
}

void walk(const fsclient::Node& directory, StringView path, unsigned depth)
{
    program::NameList names;
    bool full = false;
    auto listed = directory.for_each_entry([&](const fsclient::Dirent& d) {
        if (d.name == "." || d.name == "..")
            return true;
        full = !names.add(d.name);
        return !full;
    });
    if (listed.is_error())
        return complain(path, listed.error().code());
    if (full)
        return complain(path, FS_ENOMEM);
    names.sort();
    for (size_t i = 0; i < names.size(); ++i) {
        auto child = path.size() == 1 ? base::formatted<FS_PATH_MAX + 1>("/{}", names[i])
                                      : base::formatted<FS_PATH_MAX + 1>("{}/{}", path, names[i]);
        auto node = directory.lookup(names[i], FS_LOOKUP_READ | FS_LOOKUP_NOLINK);
        if (node.is_error()) {
            complain(child.view(), node.error().code());
            continue;
        }
        auto st = node.value().stat();
        if (st.is_error()) {
            complain(child.view(), st.error().code());
            continue;
        }
        uint32_t type = st.value().mode & fsclient::mode_type_mask;
        if (type == fsclient::mode_directory) {
            program::println("dir {}", child.view());
            if (depth < 64)
                walk(node.value(), child.view(), depth + 1);
        } else if (type == fsclient::mode_symlink) {
            char target[FS_PATH_MAX + 1];
            auto n = node.value().readlink(target, sizeof target - 1);
            if (n.is_error())
                complain(child.view(), n.error().code());
            else
                program::println("link {} -> {}", child.view(), StringView(target, n.value()));
        } else {
            file_line(node.value(), child.view(), st.value().size);
        }
    }
}

} // namespace

int program_main(int argc, char** argv)
{
    StringView start = argc > 1 ? StringView(argv[1]) : StringView("/");
    auto& self = program::self();
    auto directory = start[0] == '/' ? self.root().lookup(start.substr(1), FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY)
                                     : self.cwd().lookup(start, FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY);
    if (directory.is_error()) {
        complain(start, directory.error().code());
        return 1;
    }
    while (start.size() > 1 && start[start.size() - 1] == '/')
        start = start.substr(0, start.size() - 1);
    walk(directory.value(), start, 0);
    (void)program::out().flush();
    return g_status;
}
