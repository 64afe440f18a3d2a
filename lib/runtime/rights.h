// Port rights as move-only owning types. The raw mach_port_t appears only at the MIG boundary
// (name() to pass, release() to give the right away in a message).
#pragma once

#include "base/result.h"
#include "runtime/mach.h"

namespace runtime {

// What the three right types share: one name, owned, moved not copied, released by Release
// (a function of the name) when the owner goes away.
template<typename Derived, void (*Release)(mach_port_t)> class OwnedName {
public:
    OwnedName() = default;
    OwnedName(OwnedName&& o)
        : m_name(o.release())
    {
    }
    OwnedName& operator=(OwnedName&& o)
    {
        if (this != &o) {
            reset();
            m_name = o.release();
        }
        return *this;
    }
    OwnedName(const OwnedName&) = delete;
    OwnedName& operator=(const OwnedName&) = delete;
    ~OwnedName() { reset(); }

    // Takes ownership of one user reference of a right already held under this name.
    static Derived adopt(mach_port_t name)
    {
        Derived d;
        d.m_name = name;
        return d;
    }
    mach_port_t name() const { return m_name; }
    bool valid() const { return MACH_PORT_VALID(m_name); }
    mach_port_t release()
    {
        mach_port_t n = m_name;
        m_name = MACH_PORT_NULL;
        return n;
    }
    void reset()
    {
        if (valid())
            Release(m_name);
        m_name = MACH_PORT_NULL;
    }

private:
    mach_port_t m_name = MACH_PORT_NULL;
};

void release_user_reference(mach_port_t); // mach_port_deallocate: a send or send-once right
void release_receive_right(mach_port_t); // the receive right's only reference

class SendRight : public OwnedName<SendRight, release_user_reference> {
public:
    // A new reference to the same right.
    base::Result<SendRight> copy() const;
};

class SendOnceRight : public OwnedName<SendOnceRight, release_user_reference> { };

class ReceiveRight : public OwnedName<ReceiveRight, release_receive_right> {
public:
    static base::Result<ReceiveRight> allocate();
    // A send right made from this receive right.
    base::Result<SendRight> make_send() const;
};

} // namespace runtime
