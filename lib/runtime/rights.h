// Port rights as move-only owning types. The raw mach_port_t appears only at the MIG boundary
// (name() to pass, release() to give the right away in a message).
#pragma once

#include "base/result.h"
#include "runtime/mach.h"

namespace mach {

class SendRight {
public:
    SendRight() = default;
    // Takes ownership of one user reference of a send right already held under this name.
    static SendRight adopt(mach_port_t name) { return SendRight(name); }
    SendRight(SendRight&& o) : m_name(o.release()) {}
    SendRight& operator=(SendRight&& o)
    {
        if (this != &o) {
            reset();
            m_name = o.release();
        }
        return *this;
    }
    SendRight(const SendRight&) = delete;
    SendRight& operator=(const SendRight&) = delete;
    ~SendRight() { reset(); }

    // A new reference to the same right.
    base::Result<SendRight> copy() const;
    mach_port_t name() const { return m_name; }
    bool valid() const { return MACH_PORT_VALID(m_name); }
    mach_port_t release()
    {
        mach_port_t n = m_name;
        m_name = MACH_PORT_NULL;
        return n;
    }
    void reset();

private:
    explicit SendRight(mach_port_t name) : m_name(name) {}
    mach_port_t m_name = MACH_PORT_NULL;
};

class SendOnceRight {
public:
    SendOnceRight() = default;
    static SendOnceRight adopt(mach_port_t name) { return SendOnceRight(name); }
    SendOnceRight(SendOnceRight&& o) : m_name(o.release()) {}
    SendOnceRight& operator=(SendOnceRight&& o)
    {
        if (this != &o) {
            reset();
            m_name = o.release();
        }
        return *this;
    }
    SendOnceRight(const SendOnceRight&) = delete;
    SendOnceRight& operator=(const SendOnceRight&) = delete;
    ~SendOnceRight() { reset(); }

    mach_port_t name() const { return m_name; }
    bool valid() const { return MACH_PORT_VALID(m_name); }
    mach_port_t release()
    {
        mach_port_t n = m_name;
        m_name = MACH_PORT_NULL;
        return n;
    }
    void reset();

private:
    explicit SendOnceRight(mach_port_t name) : m_name(name) {}
    mach_port_t m_name = MACH_PORT_NULL;
};

class ReceiveRight {
public:
    ReceiveRight() = default;
    static base::Result<ReceiveRight> allocate();
    ReceiveRight(ReceiveRight&& o) : m_name(o.release()) {}
    ReceiveRight& operator=(ReceiveRight&& o)
    {
        if (this != &o) {
            reset();
            m_name = o.release();
        }
        return *this;
    }
    ReceiveRight(const ReceiveRight&) = delete;
    ReceiveRight& operator=(const ReceiveRight&) = delete;
    ~ReceiveRight() { reset(); }

    // A send right made from this receive right.
    base::Result<SendRight> make_send() const;
    mach_port_t name() const { return m_name; }
    bool valid() const { return MACH_PORT_VALID(m_name); }
    mach_port_t release()
    {
        mach_port_t n = m_name;
        m_name = MACH_PORT_NULL;
        return n;
    }
    void reset();

private:
    explicit ReceiveRight(mach_port_t name) : m_name(name) {}
    mach_port_t m_name = MACH_PORT_NULL;
};

} // namespace mach
