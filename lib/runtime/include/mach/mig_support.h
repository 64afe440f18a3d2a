/* What MIG-generated code expects from the runtime (GNU Mach's package does not ship this
 * header: glibc does). Implemented in lib/runtime/mig_support.cpp. */
#pragma once
#include <mach/message.h>
#include <mach/port.h>
#include <mach/std_types.h>
#include <string.h>
#ifdef __cplusplus
extern "C" {
#endif
mach_msg_return_t mach_msg(mach_msg_header_t* msg, mach_msg_option_t option, mach_msg_size_t send_size,
    mach_msg_size_t rcv_size, mach_port_t rcv_name, mach_msg_timeout_t timeout, mach_port_t notify);
mach_msg_return_t mach_msg_trap(mach_msg_header_t* msg, mach_msg_option_t option, mach_msg_size_t send_size,
    mach_msg_size_t rcv_size, mach_port_t rcv_name, mach_msg_timeout_t timeout, mach_port_t notify);
mach_port_t mig_get_reply_port(void);
void mig_put_reply_port(mach_port_t port);
void mig_dealloc_reply_port(mach_port_t port);
void mig_allocate(vm_address_t* addr, vm_size_t size);
void mig_deallocate(vm_address_t addr, vm_size_t size);
vm_size_t mig_strncpy(char* dest, const char* src, vm_size_t len);
mach_port_t mach_reply_port(void);
mach_port_t mach_task_self(void);
mach_port_t mach_thread_self(void);
mach_port_t mach_host_self(void);
#ifdef __cplusplus
}
#endif
#define mig_unlikely(x) __builtin_expect(!!(x), 0)
