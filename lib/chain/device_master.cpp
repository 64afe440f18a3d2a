// The link's ports as the links below see them: the device master (device.defs) and the relay,
// if there is one, whose names are either served here (a DeviceProvider of that master's share
// owns them) or forwarded up as the link's policy allows (policy.h), to the link above's relay
// if it gave one, else to this link's own device master; i386_io_perm_create, forwarded
// likewise; and the fsys_getpriv answer on the bootstrap port, given once.
#include "chain/link.h"
#include "runtime/runtime.h"

extern "C" {
#include "device_S.h"
#include "fsys_S.h"
#include "mach_i386_forward_S.h"
}

using chain::link;

static kern_return_t open_device(
    mach_port_t master, dev_mode_t mode, const char* name, mach_port_t* device, mach_msg_type_name_t* poly)
{
    const chain::Share* share = link().share_for(master);
    if (!share)
        return D_INVALID_OPERATION;
    // The server loop refused the request unless the name holds its zero within its 128 bytes
    // (runtime/server.h), so it can be read and forwarded as it is.
    base::StringView wanted(name);
    if (chain::DeviceProvider* p = share->provider_for(wanted)) {
        auto opened = p->open(wanted, mode);
        if (opened.is_error())
            return opened.error().code();
        *device = opened.value().release();
        *poly = MACH_MSG_TYPE_MOVE_SEND;
        return KERN_SUCCESS;
    }
    // Not ours: the link's own device master answers, if the policy lets the name go up.
    switch (link().policy().device(wanted, mode)) {
    case chain::Policy::Decision::Allowed:
        break;
    case chain::Policy::Decision::ReadOnly:
        return D_READ_ONLY;
    case chain::Policy::Decision::NoSuchDevice:
        return D_NO_SUCH_DEVICE;
    }
    mach_port_t forwarded = MACH_PORT_NULL;
    kern_return_t r = device_open(link().forward_master(), mode, const_cast<char*>(name), &forwarded);
    if (r != KERN_SUCCESS)
        return r;
    *device = forwarded;
    *poly = MACH_MSG_TYPE_MOVE_SEND;
    return KERN_SUCCESS;
}

extern "C" {

kern_return_t ds_device_open(mach_port_t master, mach_port_t, mach_msg_type_name_t, dev_mode_t mode,
    const_dev_name_t name, mach_port_t* device, mach_msg_type_name_t* poly)
{
    return open_device(master, mode, name, device, poly);
}

kern_return_t ds_device_open_new(mach_port_t master, mach_port_t, mach_msg_type_name_t, dev_mode_t mode,
    const_dev_name_t name, mach_port_t* device, mach_msg_type_name_t* poly)
{
    return open_device(master, mode, name, device, poly);
}

// The operations on opened devices go to the server of device ports that owns the port; the
// chain's own port is not a device.
kern_return_t ds_device_close(mach_port_t device)
{
    if (auto* d = link().device_ports_for(device))
        return d->close(device);
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_write(mach_port_t device, mach_port_t, mach_msg_type_name_t, dev_mode_t mode, recnum_t recnum,
    io_buf_ptr_t data, mach_msg_type_number_t count, int* written)
{
    if (auto* d = link().device_ports_for(device))
        return d->write(device, mode, recnum, data, count, written);
    // Refused: the server loop releases the data (runtime/server.h's ownership rule).
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_write_inband(mach_port_t device, mach_port_t, mach_msg_type_name_t, dev_mode_t mode,
    recnum_t recnum, const io_buf_ptr_inband_t data, mach_msg_type_number_t count, int* written)
{
    if (auto* d = link().device_ports_for(device))
        return d->write_inband(device, mode, recnum, data, count, written);
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_read(mach_port_t device, mach_port_t, mach_msg_type_name_t, dev_mode_t mode, recnum_t recnum,
    int bytes_wanted, io_buf_ptr_t* data, mach_msg_type_number_t* count)
{
    if (auto* d = link().device_ports_for(device))
        return d->read(device, mode, recnum, bytes_wanted, data, count);
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_read_inband(mach_port_t device, mach_port_t, mach_msg_type_name_t, dev_mode_t mode,
    recnum_t recnum, int bytes_wanted, io_buf_ptr_inband_t data, mach_msg_type_number_t* count)
{
    if (auto* d = link().device_ports_for(device))
        return d->read_inband(device, mode, recnum, bytes_wanted, data, count);
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_map(
    mach_port_t device, vm_prot_t prot, vm_offset_t offset, vm_size_t size, mach_port_t* pager, int unmap)
{
    if (auto* d = link().device_ports_for(device))
        return d->map(device, prot, offset, size, pager, unmap);
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_set_status(
    mach_port_t device, dev_flavor_t flavor, const dev_status_t status, mach_msg_type_number_t count)
{
    if (auto* d = link().device_ports_for(device))
        return d->set_status(device, flavor, status, count);
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_get_status(
    mach_port_t device, dev_flavor_t flavor, dev_status_t status, mach_msg_type_number_t* count)
{
    if (auto* d = link().device_ports_for(device))
        return d->get_status(device, flavor, status, count);
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_set_filter(mach_port_t, mach_port_t, int, const filter_array_t, mach_msg_type_number_t)
{
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_intr_register(mach_port_t device, int id, int flags, mach_port_t receive_port)
{
    if (auto* d = link().device_ports_for(device))
        return d->intr_register(device, id, flags, receive_port);
    return D_INVALID_OPERATION;
}

kern_return_t ds_device_intr_ack(mach_port_t device, mach_port_t receive_port)
{
    if (auto* d = link().device_ports_for(device))
        return d->intr_ack(device, receive_port);
    return D_INVALID_OPERATION;
}

kern_return_t S_fsys_getpriv(mach_port_t fsys, mach_port_t* host_priv, mach_msg_type_name_t* host_poly,
    mach_port_t* device_master, mach_msg_type_name_t* device_poly, mach_port_t* fstask)
{
    // Only the next task's bootstrap port answers, once, for its start-up: the device master it
    // gets never answers, so nothing it hands on can ask again. (The Hurd's libmachdev answers
    // anyone holding the port, with the host port and its own task.)
    if (!link().is_bootstrap(fsys) || !link().take_getpriv())
        return KERN_INVALID_CAPABILITY;
    // The host port only where the policy says so; this link's device master, so the link below
    // opens its devices through us; no task port.
    *host_priv = link().policy().host_priv ? runtime::privileged_ports().host_priv : MACH_PORT_NULL;
    *host_poly = MACH_MSG_TYPE_COPY_SEND;
    *device_master = link().link_port();
    *device_poly = MACH_MSG_TYPE_MAKE_SEND;
    *fstask = MACH_PORT_NULL;
    return KERN_SUCCESS;
}

kern_return_t S_i386_io_perm_create(mach_port_t master, io_port_t from, io_port_t to, mach_port_t* io_perm)
{
    const chain::Share* share = link().share_for(master);
    if (!share || !link().allows_io(*share, from, to))
        return KERN_INVALID_CAPABILITY;
    return i386_io_perm_create(link().forward_master(), from, to, io_perm);
}
}
