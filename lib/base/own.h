// Checked allocation with one owner: create<T>(args...) builds a T on the heap and returns it as
// an Own<T>, or an error when the heap is full; the Own deletes it when it goes. Every set-up
// allocation that may fail goes through here, in the guest (whose heap returns null when full)
// and on the host alike, so a failure is a value the caller handles where it happens. Portable.
#pragma once

#include <stddef.h>

#include <new>

#include "base/result.h"
#include "base/status.h"

namespace base {

template<typename T> class Own {
public:
    Own() = default;
    Own(Own&& o)
        : m_object(o.m_object)
    {
        o.m_object = nullptr;
    }
    Own& operator=(Own&& o)
    {
        if (this != &o) {
            reset();
            m_object = o.m_object;
            o.m_object = nullptr;
        }
        return *this;
    }
    Own(const Own&) = delete;
    Own& operator=(const Own&) = delete;
    ~Own() { reset(); }

    // Takes ownership of an object made with new.
    static Own adopt(T* object)
    {
        Own o;
        o.m_object = object;
        return o;
    }

    T* get() const { return m_object; }
    T* operator->() const { return m_object; }
    T& operator*() const { return *m_object; }
    explicit operator bool() const { return m_object != nullptr; }

    void reset()
    {
        delete m_object;
        m_object = nullptr;
    }
    // Gives up ownership: the caller deletes it.
    T* leak()
    {
        T* object = m_object;
        m_object = nullptr;
        return object;
    }

private:
    T* m_object = nullptr;
};

// The error of a failed allocation: Mach's KERN_RESOURCE_SHORTAGE.
constexpr int out_of_memory = status::resource_shortage;

template<typename T, typename... Args> Result<Own<T>> create(Args&&... args)
{
    T* object = new (std::nothrow) T(static_cast<Args&&>(args)...);
    if (!object)
        return Error(out_of_memory, "out of memory");
    return Own<T>::adopt(object);
}

// An array of n default-built elements with one owner, or an error when the heap is full.
template<typename T> class OwnArray {
public:
    OwnArray() = default;
    OwnArray(OwnArray&& o)
        : m_elements(o.m_elements)
        , m_count(o.m_count)
    {
        o.m_elements = nullptr;
        o.m_count = 0;
    }
    OwnArray& operator=(OwnArray&& o)
    {
        if (this != &o) {
            reset();
            m_elements = o.m_elements;
            m_count = o.m_count;
            o.m_elements = nullptr;
            o.m_count = 0;
        }
        return *this;
    }
    OwnArray(const OwnArray&) = delete;
    OwnArray& operator=(const OwnArray&) = delete;
    ~OwnArray() { reset(); }

    static Result<OwnArray> create(size_t count)
    {
        OwnArray a;
        a.m_elements = new (std::nothrow) T[count];
        if (!a.m_elements)
            return Error(out_of_memory, "out of memory");
        a.m_count = count;
        return a;
    }

    T* data() const { return m_elements; }
    size_t size() const { return m_count; }
    T& operator[](size_t i) const { return m_elements[i]; }
    explicit operator bool() const { return m_elements != nullptr; }

    void reset()
    {
        delete[] m_elements;
        m_elements = nullptr;
        m_count = 0;
    }

private:
    T* m_elements = nullptr;
    size_t m_count = 0;
};

} // namespace base
