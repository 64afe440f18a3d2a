// Building the initial stack of a new program; the layout is in initial_stack.h.
#include "elf/initial_stack.h"

#include "elf/loader.h"

namespace elf {

namespace {

constexpr uint64_t stack_alignment = 16;

// The strings of either form, one at a time, so that both share one layout routine.
class Strings {
public:
    virtual size_t count() const = 0;
    // Calls next() count() times to visit the strings in order.
    virtual base::StringView next() = 0;
    virtual void rewind() = 0;

protected:
    ~Strings() = default;
};

class ArrayStrings final : public Strings {
public:
    ArrayStrings(const base::StringView* list, size_t count)
        : m_list(list)
        , m_count(count)
    {
    }
    size_t count() const override { return m_count; }
    base::StringView next() override { return m_list[m_index++]; }
    void rewind() override { m_index = 0; }

private:
    const base::StringView* m_list;
    size_t m_count;
    size_t m_index = 0;
};

class PackedStrings final : public Strings {
public:
    explicit PackedStrings(base::StringView block)
        : m_block(block)
        , m_count(packed_count(block))
    {
    }
    size_t count() const override { return m_count; }
    base::StringView next() override
    {
        base::StringView rest = m_block.substr(m_position);
        size_t length = rest.find('\0');
        m_position += length + 1;
        return rest.substr(0, length);
    }
    void rewind() override { m_position = 0; }

private:
    base::StringView m_block;
    size_t m_count;
    size_t m_position = 0;
};

void store_word(uint8_t* p, uint64_t value)
{
    __builtin_memcpy(p, &value, sizeof value);
}

base::Result<StackImage> build(uint64_t stack_top, Strings& argv, Strings& envp, uint8_t* out, size_t capacity)
{
    if (stack_top % stack_alignment != 0 || stack_top > user_space_end)
        return make_error(Error::BadStackTop);

    // Counted so that no sum can overflow: each term is checked against the bound first.
    size_t words = 1 + argv.count() + 1 + envp.count() + 1;
    if (argv.count() > max_argument_bytes / 8 || envp.count() > max_argument_bytes / 8)
        return make_error(Error::ArgumentsTooLong);
    Strings* lists[] = { &argv, &envp };
    uint64_t total = words * 8;
    for (Strings* list : lists) {
        list->rewind();
        for (size_t i = 0; i < list->count(); ++i) {
            size_t length = list->next().size();
            if (length >= max_argument_bytes || total + length + 1 > max_argument_bytes)
                return make_error(Error::ArgumentsTooLong);
            total += length + 1;
        }
    }
    uint64_t size = (total + stack_alignment - 1) & ~(stack_alignment - 1);
    if (size > max_argument_bytes)
        return make_error(Error::ArgumentsTooLong);
    if (stack_top < page_size + size)
        return make_error(Error::BadStackTop);
    if (size > capacity)
        return make_error(Error::StackBufferTooSmall);

    uint64_t rsp = stack_top - size;
    __builtin_memset(out, 0, size);
    uint8_t* word = out;
    size_t string_offset = words * 8;
    store_word(word, argv.count());
    word += 8;
    for (Strings* list : lists) {
        list->rewind();
        for (size_t i = 0; i < list->count(); ++i) {
            base::StringView s = list->next();
            store_word(word, rsp + string_offset);
            word += 8;
            if (s.size() > 0)
                __builtin_memcpy(out + string_offset, s.data(), s.size());
            string_offset += s.size() + 1; // the NUL is already there
        }
        store_word(word, 0);
        word += 8;
    }
    return StackImage { rsp, static_cast<size_t>(size) };
}

} // namespace

size_t packed_count(base::StringView block)
{
    size_t count = 0;
    for (size_t i = 0; i < block.size(); ++i)
        if (block[i] == '\0')
            ++count;
    if (!block.empty() && block[block.size() - 1] != '\0')
        ++count;
    return count;
}

base::Result<StackImage> build_initial_stack(uint64_t stack_top, const base::StringView* argv, size_t argc,
    const base::StringView* envp, size_t envc, uint8_t* out, size_t capacity)
{
    ArrayStrings a(argv, argc);
    ArrayStrings e(envp, envc);
    return build(stack_top, a, e, out, capacity);
}

base::Result<StackImage> build_initial_stack_packed(
    uint64_t stack_top, base::StringView argv_block, base::StringView envp_block, uint8_t* out, size_t capacity)
{
    PackedStrings a(argv_block);
    PackedStrings e(envp_block);
    return build(stack_top, a, e, out, capacity);
}

} // namespace elf
