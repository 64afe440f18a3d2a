// Running commands: redirections, built-ins, programs through exec, and the prompt.
#include "sh/shell.h"

#include "execclient/client.h"
#include "fsclient/status.h"
#include "program/line_editor.h"

namespace shell {

namespace {

constexpr int status_not_found = 127;
constexpr int status_cannot_run = 126;
constexpr int status_syntax = 2;

// The command being parsed and run; large, so not on the stack.
Command g_command;

base::StringView strip_trailing_slashes(base::StringView path)
{
    while (path.size() > 1 && path[path.size() - 1] == '/')
        path = path.substr(0, path.size() - 1);
    return path;
}

// cwd joined with path, '.' and '..' resolved lexically, into out.
void join_path(base::StringView cwd, base::StringView path, base::BoundedString<FS_PATH_MAX + 1>& out)
{
    char buffer[FS_PATH_MAX + 1];
    size_t size = 0;
    auto append_components = [&](base::StringView p) {
        size_t i = 0;
        while (i < p.size()) {
            while (i < p.size() && p[i] == '/')
                ++i;
            size_t start = i;
            while (i < p.size() && p[i] != '/')
                ++i;
            base::StringView c = p.substr(start, i - start);
            if (c.empty() || c == ".")
                continue;
            if (c == "..") {
                while (size > 0 && buffer[size - 1] != '/')
                    --size;
                if (size > 0)
                    --size; // the '/' before the dropped component
                continue;
            }
            if (size + 1 + c.size() > FS_PATH_MAX)
                return;
            buffer[size++] = '/';
            for (char ch : c)
                buffer[size++] = ch;
        }
    };
    if (path.empty() || path[0] != '/')
        append_components(cwd);
    append_components(path);
    if (size == 0)
        buffer[size++] = '/';
    out.assign(base::StringView(buffer, size));
}

// The output a redirection opens, for the duration of one command.
struct Redirected {
    fsclient::Node node;
    program::Output stream;
};

} // namespace

Shell::Shell()
    : m_out(&program::out())
    , m_err(&program::err())
{
    m_cwd_path.assign("/");
}

void Shell::expand(base::StringView name, base::Sink& out)
{
    if (name == "?") {
        base::format(out, "{}", m_status);
    } else if (name == "#") {
        base::format(out, "{}", m_arg_count > 0 ? m_arg_count - 1 : 0);
    } else if (name.size() == 1 && name[0] >= '0' && name[0] <= '9') {
        int i = name[0] - '0';
        if (i < m_arg_count)
            out.put(base::StringView(m_args[i]));
    } else if (name == "PWD") {
        out.put(m_cwd_path.view());
    } else {
        out.put(program::self().env(name));
    }
}

base::Result<fsclient::Node> Shell::open(base::StringView path, int flags, int mode) const
{
    auto& self = program::self();
    if (!path.empty() && path[0] == '/')
        return self.root().lookup(path.substr(1), flags, mode);
    return self.cwd().lookup(path, flags, mode);
}

base::Result<Shell::Parent> Shell::parent(base::StringView path) const
{
    path = strip_trailing_slashes(path);
    size_t slash = path.size();
    for (size_t i = path.size(); i > 0; --i) {
        if (path[i - 1] == '/') {
            slash = i - 1;
            break;
        }
    }
    base::StringView name = slash == path.size() ? path : path.substr(slash + 1);
    if (name.empty() || name == "/")
        return base::Error(FS_EINVAL, nullptr);
    base::StringView directory = slash == path.size() ? base::StringView("") : path.substr(0, slash == 0 ? 1 : slash);
    Parent p;
    // With write access (fs.defs): the callers change what the directory holds.
    p.directory = TRY(open(directory, FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY));
    p.name = name;
    return p;
}

base::Result<void> Shell::change_directory(base::StringView path)
{
    // With write access when the shell has it there (files are made relative to the cwd),
    // else read-only (a read-only root or filesystem).
    auto writable = open(path, FS_LOOKUP_READ | FS_LOOKUP_WRITE | FS_LOOKUP_DIRECTORY);
    if (writable.is_error() && writable.error().code() != FS_EBADF && writable.error().code() != FS_EROFS)
        return writable.error();
    fsclient::Node node;
    if (writable.is_error())
        node = TRY(open(path, FS_LOOKUP_READ | FS_LOOKUP_DIRECTORY));
    else
        node = static_cast<fsclient::Node&&>(writable.value());
    program::self().set_cwd(static_cast<fsclient::Node&&>(node));
    base::BoundedString<FS_PATH_MAX + 1> joined;
    join_path(m_cwd_path.view(), path, joined);
    m_cwd_path = joined;
    return {};
}

int Shell::run_command(const Command& cmd)
{
    // Redirections first: a file that cannot be opened stops the command.
    Redirected redirected[Command::max_redirects];
    program::Output* out = &program::out();
    program::Output* err = &program::err();
    for (size_t i = 0; i < cmd.redirect_count; ++i) {
        const Redirect& r = cmd.redirects[i];
        int flags = FS_LOOKUP_WRITE | FS_LOOKUP_CREATE
            | (r.mode == RedirectMode::Append ? FS_LOOKUP_APPEND : FS_LOOKUP_TRUNC);
        auto node = open(r.target, flags, 0644);
        if (node.is_error()) {
            complain(*this, "sh", "{}: {}", r.target, program::ErrorText { node.error().code() });
            return 1;
        }
        // An append port writes at the end of the file at each write (FS_LOOKUP_APPEND).
        redirected[i].node = node.release_value();
        redirected[i].stream.attach(program::StreamKind::File, redirected[i].node.port());
        (r.fd == 1 ? out : err) = &redirected[i].stream;
    }
    m_out = out;
    m_err = err;
    int status = 0;
    if (cmd.word_count == 0) {
        status = 0; // only redirections: the files are made (or emptied), as sh does
    } else if (Builtin builtin = find_builtin(cmd.words[0])) {
        status = builtin(*this, static_cast<int>(cmd.word_count), cmd.words);
    } else {
        status = run_program(cmd);
    }
    for (auto& r : redirected) {
        if (r.node.valid()) {
            auto flushed = r.stream.flush();
            if (flushed.is_error() && status == 0) {
                program::complain("write error: {}", program::ErrorText { flushed.error().code() });
                status = 1;
            }
        }
    }
    (void)program::out().flush();
    m_out = &program::out();
    m_err = &program::err();
    return status;
}

int Shell::run_program(const Command& cmd)
{
    auto& self = program::self();
    base::StringView name(cmd.words[0]);
    if (!MACH_PORT_VALID(self.exec_server())) {
        complain(*this, "sh", "{}: cannot run programs: this shell was given no exec server", name);
        return status_cannot_run;
    }
    base::StringView argv[Command::max_words];
    for (size_t i = 0; i < cmd.word_count; ++i)
        argv[i] = base::StringView(cmd.words[i]);
    // The environment is the shell's own, with PWD the current directory.
    constexpr size_t max_env = 64;
    base::StringView envp[max_env];
    size_t envc = 0;
    base::BoundedString<FS_PATH_MAX + 8> pwd(base::formatted<FS_PATH_MAX + 8>("PWD={}", m_cwd_path.view()).view());
    envp[envc++] = pwd.view();
    for (char** e = self.envp(); *e && envc < max_env; ++e)
        if (!base::StringView(*e).starts_with("PWD="))
            envp[envc++] = base::StringView(*e);

    execclient::Spawn spawn;
    spawn.argv = argv;
    spawn.argc = cmd.word_count;
    spawn.envp = envp;
    spawn.envc = envc;
    auto descriptor = [](program::StreamKind kind) {
        return kind == program::StreamKind::Device ? EXEC_DESC_DEVICE
            : kind == program::StreamKind::File    ? EXEC_DESC_FILE
                                                   : EXEC_DESC_NONE;
    };
    spawn.descriptors[0] = self.in().port();
    spawn.kinds[0] = descriptor(self.in().kind());
    spawn.descriptors[1] = m_out->port();
    spawn.kinds[1] = descriptor(m_out->kind());
    spawn.descriptors[2] = m_err->port();
    spawn.kinds[2] = descriptor(m_err->kind());
    spawn.descriptor_count = 3;
    spawn.ports[EXEC_PORT_CRDIR] = self.root().port();
    spawn.ports[EXEC_PORT_CWDIR] = self.cwd().port();
    spawn.ports[EXEC_PORT_CONSOLE] = self.console();
    spawn.ports[EXEC_PORT_EXEC] = self.exec_server();
    spawn.ports[EXEC_PORT_DEVICE_MASTER] = self.device_master();
    spawn.ports[EXEC_PORT_HOST_PRIV] = self.host_priv();
    // What the program writes must follow what the shell wrote.
    (void)m_out->flush();
    (void)m_err->flush();

    base::BoundedString<FS_PATH_MAX + 1> path;
    bool searched = name.find('/') == name.size();
    execclient::Process process;
    int code = FS_ENOENT;
    auto start = [&](base::StringView p, mach_port_t directory) {
        auto started = execclient::run(self.exec_server(), directory, p, spawn);
        if (started.is_error()) {
            code = started.error().code();
            return false;
        }
        process = started.release_value();
        code = 0;
        return true;
    };
    if (searched) {
        for (base::StringView directory : { base::StringView("/bin/"), base::StringView("/sbin/") }) {
            path = base::formatted<FS_PATH_MAX + 1>("{}{}", directory, name);
            if (start(path.view(), MACH_PORT_NULL) || code != FS_ENOENT)
                break;
        }
    } else {
        path.assign(name);
        start(name, name[0] == '/' ? MACH_PORT_NULL : self.cwd().port());
    }
    if (code != 0) {
        if (searched && code == FS_ENOENT) {
            complain(*this, "sh", "{}: command not found", name);
            return status_not_found;
        }
        complain(*this, "sh", "{}: {}", path.view(), program::ErrorText { code });
        return code == FS_ENOENT ? status_not_found : status_cannot_run;
    }
    auto ended = process.wait();
    if (ended.is_error()) {
        complain(*this, "sh", "{}: waiting for its end failed: {}", name, program::ErrorText { ended.error().code() });
        return status_cannot_run;
    }
    switch (ended.value().how) {
    case EXEC_END_EXIT:
        return ended.value().status;
    case EXEC_END_CRASH:
        complain(*this, "sh", "{}: crashed (Mach exception {})", name, ended.value().status);
        return 128 + (ended.value().status & 0x7f);
    default:
        complain(*this, "sh", "{}: killed", name);
        return 128 + 9;
    }
}

int Shell::run_text(base::StringView text, base::StringView source)
{
    unsigned line = 0;
    SyntaxError e = check_syntax(text, line);
    if (e != SyntaxError::None) {
        if (source.empty())
            complain(*this, "sh", "syntax error: {}", syntax_error_text(e));
        else
            complain(*this, "sh", "{}: line {}: syntax error: {}", source, line, syntax_error_text(e));
        m_status = status_syntax;
        return m_status;
    }
    Parser parser(text, this);
    Connector previous = Connector::Sequence;
    while (!m_finished && parser.next(g_command)) {
        bool run = previous == Connector::Sequence || (previous == Connector::And && m_status == 0)
            || (previous == Connector::Or && m_status != 0);
        previous = g_command.connector;
        if (!run)
            continue;
        m_status = run_command(g_command);
        if (m_status & (program::poweroff_request | program::reboot_request))
            finish(m_status); // a shell we ran was told to power off or reboot: so are we
    }
    return m_status;
}

namespace {
// Echo of the line editor: straight to the console.
class Echo final : public base::Sink {
public:
    void write(const char* data, size_t size) override { program::out().write(data, size); }
};
} // namespace

int Shell::interactive()
{
    auto& input = program::self().in();
    program::LineEditor editor;
    Echo echo;
    auto prompt = [&] {
        base::format(program::out(), "bootchain:{}# ", m_cwd_path.view());
        (void)program::out().flush();
    };
    prompt();
    while (!m_finished) {
        char buffer[128];
        auto got = input.read(buffer, sizeof buffer);
        if (got.is_error()) {
            complain(*this, "sh", "cannot read the console: {}", program::ErrorText { got.error().code() });
            return 1;
        }
        if (got.value() == 0)
            break; // a file at its end
        for (size_t i = 0; i < got.value() && !m_finished; ++i) {
            auto event = editor.feed(buffer[i], echo);
            if (event == program::LineEditor::Event::None)
                continue;
            (void)program::out().flush();
            if (event == program::LineEditor::Event::EndOfInput) {
                program::println("exit");
                finish(m_status);
                break;
            }
            if (event == program::LineEditor::Event::Line)
                run_text(editor.line(), {});
            if (!m_finished)
                prompt();
        }
        (void)program::out().flush();
    }
    return m_finished ? m_exit_status : m_status;
}

} // namespace shell
