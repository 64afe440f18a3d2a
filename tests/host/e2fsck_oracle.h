// The e2fsck oracle of the ext2 tests and fuzzer: runs `e2fsck -fn` on an image and sorts what
// it says into problem kinds with a count each, so that an image before and after the library
// worked on it can be compared. A kind is a message with its numbers, names, paths and dates
// taken out ("Inode # ref count is #, should be #."); the bitmap differences count their blocks
// ("Block bitmap differences: +" 3). The library made nothing worse when no kind appears that
// was not there before and no count grows. No GoogleTest here: the fuzzer uses it too.
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <map>
#include <string>
#include <vector>

namespace e2fsck_oracle {

struct Problems {
    std::map<std::string, uint64_t> kinds;
    int status = -1; // e2fsck's exit status: 0 clean, 4 errors left, 8 could not check
    std::string output;

    uint64_t total() const
    {
        uint64_t n = 0;
        for (const auto& [kind, count] : kinds)
            n += count;
        return n;
    }
};

namespace detail {

inline std::string trim(const std::string& s)
{
    size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos)
        return {};
    size_t b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

inline bool starts_with(const std::string& s, const char* prefix)
{
    return s.rfind(prefix, 0) == 0;
}

inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

// Length of a date as e2fsck prints it ("Thu Dec  3 13:33:53 2026") at s[at], or 0.
inline size_t date_at(const std::string& s, size_t at)
{
    static const char* const days[] = { "Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun " };
    static const char* const months[]
        = { "Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec " };
    if (at + 8 > s.size())
        return 0;
    bool day = false, month = false;
    for (const char* d : days)
        day = day || s.compare(at, 4, d) == 0;
    for (const char* m : months)
        month = month || s.compare(at + 4, 4, m) == 0;
    if (!day || !month)
        return 0;
    // Then: day of month, time, year: three runs of digits and colons.
    size_t i = at + 8;
    for (int field = 0; field < 3; ++field) {
        while (i < s.size() && s[i] == ' ')
            ++i;
        size_t from = i;
        while (i < s.size() && (is_digit(s[i]) || s[i] == ':'))
            ++i;
        if (i == from)
            return 0;
    }
    return i - at;
}

// Takes the numbers, quoted names, paths and dates out of one message; a run of numbers
// ("5 6 7", "3--9") becomes one '#'.
inline std::string normalise(const std::string& line)
{
    std::string out;
    size_t i = 0;
    while (i < line.size()) {
        char c = line[i];
        if (size_t n = date_at(line, i)) {
            out += "DATE";
            i += n;
        } else if (c == '\'') {
            size_t close = line.find('\'', i + 1);
            if (close == std::string::npos)
                close = line.size() - 1;
            out += "'S'";
            i = close + 1;
        } else if (c == '/' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t' || line[i - 1] == '(')) {
            out += "/P";
            while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '(' && line[i] != ')')
                ++i;
        } else if (is_digit(c)) {
            if (out.empty() || out.back() != '#')
                out += '#';
            bool hex = c == '0' && i + 1 < line.size() && (line[i + 1] == 'x' || line[i + 1] == 'X');
            if (hex)
                i += 2;
            while (i < line.size() && (is_digit(line[i]) || (hex && line[i] >= 'a' && line[i] <= 'f')))
                ++i;
            // Numbers joined by spaces, commas and dashes are one.
            size_t j = i;
            while (j < line.size() && (line[j] == ' ' || line[j] == ',' || line[j] == '-'))
                ++j;
            if (j > i && j < line.size() && is_digit(line[j]))
                i = j;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            if (!out.empty() && out.back() != ' ')
                out += ' ';
            ++i;
        } else {
            out += c;
            ++i;
        }
    }
    return trim(out);
}

// "-(20--25) +30 -40 ..." at the start of text: adds the blocks to kind+sign, returns where
// the list ended.
inline size_t bitmap_list(const std::string& text, const std::string& kind, Problems& p)
{
    size_t i = 0;
    for (;;) {
        size_t at = i;
        while (at < text.size() && text[at] == ' ')
            ++at;
        if (at >= text.size() || (text[at] != '+' && text[at] != '-'))
            return i;
        char sign = text[at++];
        uint64_t n = 1;
        if (at < text.size() && text[at] == '(') {
            size_t dash = text.find("--", at);
            size_t close = text.find(')', at);
            if (dash == std::string::npos || close == std::string::npos || dash > close)
                return i;
            unsigned long long first = std::stoull(text.substr(at + 1, dash - at - 1));
            unsigned long long last = std::stoull(text.substr(dash + 2, close - dash - 2));
            n = last >= first ? last - first + 1 : 1;
            at = close + 1;
        } else {
            size_t from = at;
            while (at < text.size() && is_digit(text[at]))
                ++at;
            if (at == from)
                return i;
        }
        p.kinds[kind + sign] += n;
        i = at;
    }
}

// "img: 14/1024 files (7.1% non-contiguous), 588/4096 blocks"
inline bool is_summary(const std::string& line)
{
    size_t slash = line.find('/');
    size_t files = line.find(" files (");
    return slash != std::string::npos && files != std::string::npos && slash < files && is_digit(line[0]);
}

} // namespace detail

// Sorts e2fsck's output into kinds. image: the path e2fsck was given (it prefixes some lines).
inline Problems parse(const std::string& output, int status, const std::string& image)
{
    using namespace detail;
    Problems p;
    p.status = status;
    p.output = output;
    if (status != 0 && status != 4 && status != 1 && status != 2)
        p.kinds["(e2fsck could not check the image: status " + std::to_string(status) + ")"] = 1;
    // The last bitmap-differences list: e2fsck may interrupt it with another message and its
    // question, then go on with it on a line of its own, which starts with a sign as no message
    // does.
    std::string bitmap_kind;
    size_t start = 0;
    while (start < output.size()) {
        size_t end = output.find('\n', start);
        if (end == std::string::npos)
            end = output.size();
        std::string raw = output.substr(start, end - start);
        start = end + 1;
        std::string line = trim(raw);
        if (!image.empty() && starts_with(line, (image + ": ").c_str()))
            line = trim(line.substr(image.size() + 2));
        if (line.empty())
            continue;
        // A continuation of a bitmap-differences list starts with a sign.
        if (!bitmap_kind.empty() && (line[0] == '+' || line[0] == '-')) {
            size_t used = bitmap_list(line, bitmap_kind, p);
            line = trim(line.substr(used));
            if (line.empty())
                continue;
        }
        for (const char* which : { "Block bitmap differences:", "Inode bitmap differences:" }) {
            size_t at = line.find(which);
            if (at == std::string::npos)
                continue;
            bitmap_kind = std::string(which, 0, std::string(which).size() - 1) + ": ";
            std::string rest = line.substr(at + std::string(which).size());
            size_t used = bitmap_list(rest, bitmap_kind, p);
            // e2fsck may print another message right after the list, on the same line.
            line = trim(rest.substr(used));
            break;
        }
        if (line.empty())
            continue;
        // The question e2fsck asks (answered no): after two spaces, or alone on its line.
        if (line.size() >= 4 && line.compare(line.size() - 4, 4, "? no") == 0) {
            size_t cut = line.rfind("  ");
            if (cut == std::string::npos)
                continue;
            line = trim(line.substr(0, cut));
        }
        if (starts_with(line, "e2fsck ") || starts_with(line, "Pass ") || starts_with(line, "Running additional passes")
            || starts_with(line, "(There are ") || starts_with(line, "*****")
            || line.find("********** WARNING: Filesystem still has errors") != std::string::npos || is_summary(line))
            continue;
        p.kinds[normalise(line)] += 1;
    }
    return p;
}

// Runs `e2fsck -fn` on image, bounded in time (e2fsck loops on some damage) and in output (at
// most 1 MB is read). A run that hit either bound has a status of -1: it could not check.
inline Problems check(const std::string& e2fsck, const std::string& image, unsigned seconds = 60)
{
    std::string quoted = "'";
    for (char c : image)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    const std::string marker = "<e2fsck status ";
    std::string command = "{ timeout " + std::to_string(seconds) + " " + e2fsck + " -fn " + quoted
        + " </dev/null 2>&1; echo \"" + marker + "$?>\"; } | head -c 1000000";
    std::string output;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[4096];
        size_t n;
        while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
            output.append(buffer, n);
        ::pclose(pipe);
    }
    int status = -1;
    size_t at = output.rfind(marker);
    if (at != std::string::npos) {
        status = std::atoi(output.c_str() + at + marker.size());
        output.resize(at);
    }
    if (status == 124) // timeout's own status
        status = -1;
    return parse(output, status, image);
}

// The kinds that are new or more frequent after than before, one sentence each.
inline std::vector<std::string> worse(const Problems& before, const Problems& after)
{
    std::vector<std::string> out;
    for (const auto& [kind, count] : after.kinds) {
        auto found = before.kinds.find(kind);
        uint64_t was = found == before.kinds.end() ? 0 : found->second;
        if (count > was)
            out.push_back((was ? "more " : "new ") + std::string("\"") + kind + "\": " + std::to_string(was) + " -> "
                + std::to_string(count));
    }
    return out;
}

inline std::string describe(const Problems& p)
{
    std::string s = "e2fsck status " + std::to_string(p.status) + ";";
    for (const auto& [kind, count] : p.kinds)
        s += " [" + std::to_string(count) + "x " + kind + "]";
    return s;
}

} // namespace e2fsck_oracle
