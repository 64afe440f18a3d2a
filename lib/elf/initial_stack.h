// The initial stack of a new program, laid out exactly as GNU Mach lays it out for the modules
// it boots (kern/bootstrap.c, build_args_and_stack, and set_user_regs of x86_64), which is what
// lib/runtime/start.S reads. At the initial rsp, upwards, in 8-byte words:
//
//     argc, argv[0] .. argv[argc-1], 0, envp[0] .. envp[envc-1], 0,
//
// then at once the strings, each with its terminating NUL: the argv strings in order, then the
// envp strings in order; then zero padding up to the stack top. rsp is the stack top minus that
// block's size rounded up to 16 (USER_STACK_ALIGN on x86_64), so rsp is 16-byte aligned, and
// there is no auxiliary vector. Portable: no Mach, no heap.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "base/string_view.h"
#include "elf/error.h"

namespace elf {

// Where GNU Mach puts a boot module's stack (STACK_SIZE and user_stack_low in kern/bootstrap.c
// and x86_64's pcb.c): 128 KiB ending at the top of user space. exec may do the same; the image
// must then end below default_stack_top - default_stack_size (Image::highest says where it ends).
constexpr uint64_t default_stack_size = 128 * 1024;
constexpr uint64_t default_stack_top = 0x800000000000; // elf::user_space_end

// The most the block at rsp may take (counts, pointers, strings and padding together). Beyond it
// the error is Error::ArgumentsTooLong.
constexpr size_t max_argument_bytes = 64 * 1024;

struct StackImage {
    uint64_t rsp; // the initial stack pointer of the new thread
    size_t size; // bytes [rsp, stack top): out[0] belongs at rsp, out[size - 1] at stack top - 1
};

// Lays out the stack for a program that will find it at [stack_top - size, stack_top) in its own
// address space; the pointers in it are addresses there. stack_top must be 16-byte aligned, in
// the user address space, and leave page 0 below the block (else Error::BadStackTop); `out` must
// have room for the block (else Error::StackBufferTooSmall).
base::Result<StackImage> build_initial_stack(uint64_t stack_top, const base::StringView* argv, size_t argc,
    const base::StringView* envp, size_t envc, uint8_t* out, size_t capacity);

// The same, with argv and envp each given as one block of NUL-terminated strings one after the
// other ("sh\0-c\0echo hi\0"), the form the Hurd's exec_exec passes them in. A last string
// without its NUL counts as a string all the same; an empty block has no strings.
base::Result<StackImage> build_initial_stack_packed(
    uint64_t stack_top, base::StringView argv_block, base::StringView envp_block, uint8_t* out, size_t capacity);

// How many strings a packed block holds, by the rule above.
size_t packed_count(base::StringView block);

} // namespace elf
