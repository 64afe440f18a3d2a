// The shell's state and how it runs commands: its current directory (a node and its path),
// the last status, the standard streams of the command being run (the program's own, or a
// redirection's file), the built-ins and the programs it runs through exec.
#pragma once

#include "base/string_view.h"
#include "fsclient/client.h"
#include "program/program.h"
#include "sh/syntax.h"

namespace shell {

class Shell final : public Expander {
public:
    Shell();

    // Runs a whole text (a script or one typed line); returns the last status. The syntax is
    // checked first: a text with an error runs nothing and gives 2. `source` names the text in
    // messages ("/etc/rc").
    int run_text(base::StringView text, base::StringView source);
    // The prompt, the line editor and each line run, until Ctrl-D or exit.
    int interactive();

    // Whether `exit` or `poweroff` ended the shell, and its status then.
    bool finished() const { return m_finished; }
    int exit_status() const { return m_exit_status; }
    void finish(int status)
    {
        m_finished = true;
        m_exit_status = status;
    }

    // $0, $1 ... of a script.
    void set_arguments(int count, char** words)
    {
        m_arg_count = count;
        m_args = words;
    }

    void expand(base::StringView name, base::Sink& out) override;

    // The streams of the command being run.
    program::Output& out() { return *m_out; }
    program::Output& err() { return *m_err; }
    int status() const { return m_status; }

    // Paths: absolute ones from the root, relative ones from the current directory.
    base::Result<fsclient::Node> open(base::StringView path, int flags, int mode = 0) const;
    // The directory that holds path's last component, and that component (trailing slashes
    // dropped). FS_EINVAL for "/" and "".
    struct Parent {
        fsclient::Node directory;
        base::StringView name;
    };
    base::Result<Parent> parent(base::StringView path) const;
    base::StringView cwd_path() const { return m_cwd_path.view(); }
    base::Result<void> change_directory(base::StringView path);

    // Runs the program at path (or /bin/NAME, /sbin/NAME) and waits for it.
    int run_program(const Command&);

private:
    int run_command(const Command&);

    int m_status = 0;
    bool m_finished = false;
    int m_exit_status = 0;
    int m_arg_count = 0;
    char** m_args = nullptr;
    program::Output* m_out;
    program::Output* m_err;
    // The current directory's path as the shell knows it (lexically: '..' drops a component).
    base::BoundedString<FS_PATH_MAX + 1> m_cwd_path;
};

// The built-ins (builtins.cpp): nullptr when the name is none.
using Builtin = int (*)(Shell&, int argc, const char* const* argv);
Builtin find_builtin(base::StringView name);

// Prints "NAME: " and a formatted line on the command's standard error.
template<typename... Args> void complain(Shell& sh, base::StringView who, base::StringView fmt, const Args&... args)
{
    base::format(sh.err(), "{}: ", who);
    base::format(sh.err(), fmt, args...);
    sh.err().put('\n');
    (void)sh.err().flush();
}

} // namespace shell
