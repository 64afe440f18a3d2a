// A list of names (a directory's entries) in memory of the heap, sorted bytewise as ls and
// the manifest print them. Portable; growth that fails is reported, never a crash.
#pragma once

#include <stddef.h>

#include "base/own.h"
#include "base/string_view.h"

namespace program {

class NameList {
public:
    NameList() = default;
    NameList(const NameList&) = delete;
    NameList& operator=(const NameList&) = delete;
    ~NameList() = default;
    bool add(base::StringView name)
    {
        if (m_count == m_names.size() && !grow_names())
            return false;
        if (m_used + name.size() + 1 > m_text.size() && !grow_text(name.size() + 1))
            return false;
        for (char c : name)
            m_text[m_used++] = c;
        m_text[m_used++] = 0;
        m_names[m_count++] = m_used - name.size() - 1;
        return true;
    }
    void sort()
    {
        for (size_t i = 1; i < m_count; ++i)
            for (size_t j = i; j > 0 && less(m_names[j], m_names[j - 1]); --j) {
                size_t t = m_names[j];
                m_names[j] = m_names[j - 1];
                m_names[j - 1] = t;
            }
    }
    size_t size() const { return m_count; }
    base::StringView operator[](size_t i) const { return base::StringView(m_text.data() + m_names[i]); }

private:
    bool less(size_t a, size_t b) const
    {
        const unsigned char* x = reinterpret_cast<const unsigned char*>(m_text.data() + a);
        const unsigned char* y = reinterpret_cast<const unsigned char*>(m_text.data() + b);
        while (*x && *x == *y)
            ++x, ++y;
        return *x < *y;
    }
    // Each grows to twice its size (at least what is asked), copying what it holds; false when
    // the heap is full, and then nothing changed.
    bool grow_names()
    {
        auto names = base::OwnArray<size_t>::create(m_names.size() ? 2 * m_names.size() : 64);
        if (names.is_error())
            return false;
        for (size_t i = 0; i < m_count; ++i)
            names.value()[i] = m_names[i];
        m_names = names.release_value();
        return true;
    }
    bool grow_text(size_t at_least)
    {
        size_t capacity = m_text.size() ? 2 * m_text.size() : 4096;
        while (capacity < m_used + at_least)
            capacity *= 2;
        auto text = base::OwnArray<char>::create(capacity);
        if (text.is_error())
            return false;
        for (size_t i = 0; i < m_used; ++i)
            text.value()[i] = m_text[i];
        m_text = text.release_value();
        return true;
    }

    base::OwnArray<char> m_text;
    size_t m_used = 0;
    base::OwnArray<size_t> m_names;
    size_t m_count = 0;
};

} // namespace program
