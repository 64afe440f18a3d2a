// Device ports a link serves itself (rumpdisk's disks): the device.defs calls that arrive on a
// port the server owns go to it, with MIG's arguments; everything else the link answers as in
// link.h. Out-of-line write data follows runtime/server.h's ownership rule: the callee releases
// it when it answers KERN_SUCCESS, and never when it answers an error.
#pragma once

#include "runtime/mach.h"

namespace chain {

class DevicePorts {
public:
    virtual bool owns(mach_port_t port) const = 0;
    virtual kern_return_t close(mach_port_t port) = 0;
    virtual kern_return_t read(mach_port_t port, dev_mode_t mode, recnum_t recnum, int bytes_wanted, io_buf_ptr_t* data,
        mach_msg_type_number_t* count)
        = 0;
    virtual kern_return_t read_inband(
        mach_port_t port, dev_mode_t mode, recnum_t recnum, int bytes_wanted, char* data, mach_msg_type_number_t* count)
        = 0;
    virtual kern_return_t write(mach_port_t port, dev_mode_t mode, recnum_t recnum, io_buf_ptr_t data,
        mach_msg_type_number_t count, int* bytes_written)
        = 0;
    virtual kern_return_t write_inband(mach_port_t port, dev_mode_t mode, recnum_t recnum, const char* data,
        mach_msg_type_number_t count, int* bytes_written)
        = 0;
    virtual kern_return_t get_status(
        mach_port_t port, dev_flavor_t flavor, dev_status_t status, mach_msg_type_number_t* count)
        = 0;
    virtual kern_return_t set_status(
        mach_port_t port, dev_flavor_t flavor, const int* status, mach_msg_type_number_t count)
        = 0;
    // Memory and interrupt devices (the arbiter's "mem" and "irq"); disks refuse them.
    virtual kern_return_t map(mach_port_t, vm_prot_t, vm_offset_t, vm_size_t, mach_port_t*, int)
    {
        return D_INVALID_OPERATION;
    }
    virtual kern_return_t intr_register(mach_port_t, int, int, mach_port_t) { return D_INVALID_OPERATION; }
    virtual kern_return_t intr_ack(mach_port_t, mach_port_t) { return D_INVALID_OPERATION; }

protected:
    ~DevicePorts() = default;
};

} // namespace chain
