// sh: the project's small shell (the language: syntax.h; the built-ins: builtins.cpp).
//
//   sh                 interactive: a prompt on the console, with the line editor
//   sh -i              the same
//   sh FILE [ARG...]   runs the script FILE ($0 is FILE, $1 ... the arguments)
//   sh -c TEXT [NAME [ARG...]]
//                      runs TEXT ($0 is NAME, $1 ... the arguments)
// The exit status is the last command's, or exit's. `poweroff N` ends the shell with
// program::poweroff_request | N, which init turns into the machine's power-off with N.
#include "program/program.h"
#include "sh/shell.h"

int program_main(int argc, char** argv)
{
    static shell::Shell sh;
    base::StringView first = argc > 1 ? base::StringView(argv[1]) : base::StringView();
    if (argc < 2 || first == "-i")
        return sh.interactive();
    if (first == "-c") {
        if (argc < 3) {
            program::complain("-c needs a command text");
            return 2;
        }
        // As POSIX sh: the words after TEXT are $0, $1 ...; without them $0 is the shell's name.
        if (argc > 3)
            sh.set_arguments(argc - 3, argv + 3);
        else
            sh.set_arguments(1, argv);
        sh.run_text(argv[2], "-c");
        return sh.finished() ? sh.exit_status() : sh.status();
    }
    if (first.starts_with("-")) {
        program::complain("unknown option {} (sh [-i] | sh FILE [ARG...] | sh -c TEXT [NAME [ARG...]])", first);
        return 2;
    }
    auto file = sh.open(first, FS_LOOKUP_READ);
    if (file.is_error()) {
        program::complain("{}: {}", first, program::ErrorText { file.error().code() });
        return 127;
    }
    auto text = file.value().read_all(1 << 20);
    if (text.is_error()) {
        program::complain("{}: {}", first, program::ErrorText { text.error().code() });
        return 126;
    }
    sh.set_arguments(argc - 1, argv + 1);
    sh.run_text(base::StringView(reinterpret_cast<const char*>(text.value().data()), text.value().size()), first);
    return sh.finished() ? sh.exit_status() : sh.status();
}
