/* Entry point and the Mach traps. The kernel starts a module with argc at (%rsp) and argv
 * from 8(%rsp). Traps use `syscall` with the (negative) trap number in eax and arguments in
 * rdi, rsi, rdx, r10, r8, r9; a seventh is read from the user stack at 8(%rsp), which is where
 * a C call leaves it. */
    .section .text.start, "ax"
    .globl _start
_start:
    movq %rsp, %rdi
    andq $-16, %rsp
    xorq %rbp, %rbp
    call bootchain_start
    ud2

    .text
#define TRAP(name, number) \
    .globl name; .type name, @function; name: movq %rcx, %r10; movl $(number), %eax; syscall; ret

TRAP(mach_msg_trap, -25)
TRAP(mach_reply_port, -26)
TRAP(mach_thread_self, -27)
TRAP(mach_task_self, -28)
TRAP(mach_host_self, -29)
TRAP(swtch_pri, -59)
TRAP(swtch, -60)
TRAP(thread_switch, -61)
    .section .note.GNU-stack, "", @progbits
