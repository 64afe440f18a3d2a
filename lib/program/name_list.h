// A list of names (a directory's entries) in memory of the heap, sorted bytewise as ls and
// the manifest print them. Portable; growth that fails is reported, never a crash.
#pragma once

#include <stddef.h>

#include <new>

#include "base/string_view.h"

namespace program {

class NameList {
public:
    NameList() = default;
    NameList(const NameList&) = delete;
    NameList& operator=(const NameList&) = delete;
    ~NameList()
    {
        delete[] m_text;
        delete[] m_names;
    }
    bool add(base::StringView name)
    {
        if (m_count == m_name_capacity && !grow_names())
            return false;
        if (m_used + name.size() + 1 > m_text_capacity && !grow_text(name.size() + 1))
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
    base::StringView operator[](size_t i) const { return base::StringView(m_text + m_names[i]); }

private:
    bool less(size_t a, size_t b) const
    {
        const unsigned char* x = reinterpret_cast<const unsigned char*>(m_text + a);
        const unsigned char* y = reinterpret_cast<const unsigned char*>(m_text + b);
        while (*x && *x == *y)
            ++x, ++y;
        return *x < *y;
    }
    bool grow_names()
    {
        size_t capacity = m_name_capacity ? 2 * m_name_capacity : 64;
        auto* names = new (std::nothrow) size_t[capacity];
        if (!names)
            return false;
        for (size_t i = 0; i < m_count; ++i)
            names[i] = m_names[i];
        delete[] m_names;
        m_names = names;
        m_name_capacity = capacity;
        return true;
    }
    bool grow_text(size_t at_least)
    {
        size_t capacity = m_text_capacity ? 2 * m_text_capacity : 4096;
        while (capacity < m_used + at_least)
            capacity *= 2;
        auto* text = new (std::nothrow) char[capacity];
        if (!text)
            return false;
        for (size_t i = 0; i < m_used; ++i)
            text[i] = m_text[i];
        delete[] m_text;
        m_text = text;
        m_text_capacity = capacity;
        return true;
    }

    char* m_text = nullptr;
    size_t m_used = 0;
    size_t m_text_capacity = 0;
    size_t* m_names = nullptr;
    size_t m_count = 0;
    size_t m_name_capacity = 0;
};

} // namespace program
