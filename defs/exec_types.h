/* The C side of exec.defs (subsystem 30000) and exec_startup.defs (30500): how a program is
   started by the exec server, what it is given, and how its end reaches whoever started it.
   Plain C without Mach's headers beyond <mach/port.h>, so that the generated stubs, exec, the
   program runtime and host tests can include it.

   Starting a program
     A client (init, the shell) holds a send right to exec's server port (EXEC_PORT_EXEC of its
     own start-up ports). exec_exec_path (30006) names the program by a path: an absolute path
     ("/bin/sh") is looked up from exec's root directory, a relative one ("bin/sh") from the
     directory port the client gives (from exec's root when that port is null). exec_exec
     (30000) takes a port on the program file itself (a file-protocol node the client opened).
     exec reads the file through the file protocol (fs.defs), checks it (lib/elf: static ELF64
     x86-64 only), makes a new task, copies the segments into it (bss zero-filled, each region
     with its protection), builds the initial stack as GNU Mach does for boot modules (argc,
     argv, envp at rsp: what lib/runtime/start.S reads), starts its one thread at e_entry and
     returns two ports: the new task's port and a process port, the handle of the program's
     end. Every failure destroys the half-made task and returns one code (below).

   What the new program is given
     Its TASK_BOOTSTRAP_PORT is a port of exec's own, one per program: the start-up port. The
     program asks it exec_startup_get_info (30500), as a Hurd program does, and gets:
       - flags: EXEC_FLAG_STACK_ARGS (argc/argv/envp are on the initial stack and only there);
       - stack_base, stack_size: the initial stack exec allocated; user_entry: e_entry;
       - dtable: its descriptors 0, 1, 2 ... (stdin, stdout, stderr), each a send right, with
         dtable_kinds[i] saying what protocol it speaks (EXEC_DESC_*): the console device
         (device.defs: device_read_inband / device_write_inband) or a file-protocol node
         (fs.defs: io_read / io_write at FS_OFFSET_CURRENT);
       - portarray: its starting ports by EXEC_PORT_* index (root and current directory, the
         console device, exec itself, and, for programs that were given them, the device
         master and the privileged host port).
     Each call returns new send rights; a program may ask more than once.

   How a program ends
     The program sends exec_startup_exit (30501) with its status on its start-up port, then
     ends its task (task_terminate of itself). exec watches every program's task (a dead-name
     notification) and its exceptions (exec is its exception port), so that an end without
     exec_startup_exit and a crash are seen too. The client that started it waits with
     exec_wait (30007) on the process port: the reply comes when the program has ended, with
     how it ended (EXEC_END_*) and its status. A program that has ended keeps its status until
     the last send right to its process port goes; a client that does not mean to wait simply
     deallocates the process port (the program runs on, detached). exec_wait's reply may take
     as long as the program runs: a client calls it without the runtime's 60 s RPC bound.

   Each program's own exec port, and its share
     A program's EXEC_PORT_EXEC is an exec port of its own (exec's server port for it): exec
     serves exec.defs there as on its own port and charges every program started through it
     to this program. A request that names any port of exec's as EXEC_PORT_EXEC (init and the
     shell hand their own on) gets the new program's own port in its place; another port is
     passed on as it is. One client (the program whose exec port a request came on) holds at
     most EXEC_CLIENT_SHARE entries of exec's table at once: its running programs and those that
     ended and whose process port it still holds. Past that it alone gets EXEC_E_TOO_MANY; so
     does whoever asks while the whole table (64 entries) is full. An entry goes as soon as its
     program has ended and no send right to its process port is left, also when the reply that
     would have carried the first one was lost (a reply port dead on arrival). A program's exec
     port goes with its entry.

   Ports the client hands over
     exec never waits on a client's port for more than its bound: every call on a directory to
     look a relative path up in, on exec_exec's file, or on a file found through such a
     directory, has a send timeout (a port with a full queue fails) and a reply timeout, 5 s in
     all for one request (then MACH_SEND_TIMED_OUT or MACH_RCV_TIMED_OUT); a reply to a client
     (exec_wait's included) is sent with a timeout and dropped when it cannot go. exec serves one
     request at a time, so a stuck client delays the others by at most that, never stops them.

   Errors
     exec_exec and exec_exec_path return KERN_SUCCESS or one of: the file protocol's FS_E*
     codes (fs_types.h) as ext2fs gave them (FS_ENOENT: no such file); lib/elf's codes
     (elf/error.h, 0x454c46xx: NotElf for a text file, Elf32 for a 32-bit ELF, TruncatedHeader,
     SegmentsOverlap, SegmentOutsideUserSpace, ImageTooLarge for segments over 1 GiB ...;
     elf::error_sentence names each; all found from the headers alone, before any memory of the
     new task is touched); MACH_SEND_TIMED_OUT or MACH_RCV_TIMED_OUT (above); EXEC_E_*
     below; or Mach's own codes for a malformed request.  */
#pragma once

#include <mach/port.h>
#include <stdint.h>

/* The bounds of the interface, which the server checks (MIG sends up to 2048 bytes of argv
   or envp, and up to 256 ports of an array, in-line, and the rest out of line).  */
#define EXEC_ARGS_MAX (64 * 1024) /* argv and envp bytes together (lib/elf's initial stack) */
#define EXEC_PORTS_MAX 16 /* entries of dtable and of portarray */
#define EXEC_PATH_MAX 1023
#define EXEC_CLIENT_SHARE 16 /* entries of exec's table one client may hold (above) */

typedef char* exec_data_t;
typedef const char* const_exec_data_t;
typedef char exec_path_t[1024];
typedef const char* const_exec_path_t;
typedef mach_port_t* exec_portarray_t;
typedef const mach_port_t* const_exec_portarray_t;
typedef int* exec_intarray_t;
typedef const int* const_exec_intarray_t;

/* init (exec's first program) gets argv = its path, and, when exec was given the kernel's
   command line (--multiboot-command-line), envp = "MULTIBOOT_CMDLINE=<that line>".  */

/* argv and envp are each one block of strings, each with its terminating zero, one after the
   other ("sh\0-c\0echo hi\0"), as the Hurd's exec_exec takes them. An empty argv makes the
   path (or "program") argv[0].  */

/* exec_exec's flags: none yet (pass 0).
   exec_startup_get_info's flags: */
#define EXEC_FLAG_STACK_ARGS 0x1 /* the arguments are on the initial stack */

/* Indices of portarray. A null entry in a client's request is filled by exec where it says
   so; the privileged ports are never filled in: a program has them only if its starter gave
   them.  */
/* A program has the identity of the program that started it (fs.defs: the identity a port
   carries): the root and current directory its starter gives are its own. A null root is
   filled with exec's root (root's identity, write access) restricted by ext2fs
   (io_restrict_auth_as) to what the first directory port of the request carries: its
   EXEC_PORT_CWDIR, else its EXEC_PORT_CRDIR, else the directory exec_exec_path looked the path
   up from. A request without any (or whose port is not the filesystem's) gets exec's root
   read-only as nobody (FS_ID_NOBODY). So a program that restricted its ports cannot regain
   root's by leaving them null. Only init, exec's first program, gets exec's root itself.  */
#define EXEC_PORT_CRDIR 0 /* root directory (fs.defs node); default: see above */
#define EXEC_PORT_CWDIR                                                                                                \
    1 /* current directory; default: the directory the path was                                                        \
         looked up from (exec_exec_path), else the request's root,                                                     \
         else the default root (above) */
#define EXEC_PORT_CONSOLE 2 /* the console device (device.defs); default: exec's console */
#define EXEC_PORT_EXEC                                                                                                 \
    3 /* the program's own exec port (above); always its own                                                           \
         unless the request names a port that is not exec's */
#define EXEC_PORT_DEVICE_MASTER                                                                                        \
    4 /* a device master (device_open of "console", "pci" ...                                                          \
         through the chain); not filled in. exec gives init its own                                                    \
         link port: device_open and i386_io_perm_create go up the                                                      \
         chain from there, and boot_profile_get (boot_profile.defs)                                                    \
         answers with every link's figures, exec's included */
#define EXEC_PORT_HOST_PRIV 5 /* the privileged host port; not filled in */
#define EXEC_PORT_COUNT 6 /* the indices defined so far (a request may send fewer) */

/* dtable_kinds: the protocol each descriptor speaks.  */
#define EXEC_DESC_NONE 0 /* a closed descriptor (a null port) */
#define EXEC_DESC_DEVICE 1 /* a Mach device (the console): device_read_inband/_write_inband */
#define EXEC_DESC_FILE 2 /* a node of the file protocol (fs.defs) */
/* A request with an empty dtable gives the program three descriptors, each the console.  */

/* exec_wait: how the program ended.  */
#define EXEC_END_EXIT 0 /* it sent exec_startup_exit: status is its exit status */
#define EXEC_END_CRASH                                                                                                 \
    1 /* it raised an exception (a fault): status is the Mach exception                                                \
         type (EXC_BAD_ACCESS 1 ...); exec ended the task and printed                                                  \
         "exec: PROGRAM crashed: ..." on the console */
#define EXEC_END_KILLED                                                                                                \
    2 /* its task ended without an exit status (task_terminate by itself                                               \
         or by whoever held its task port): status is 0 */

/* exec's own error codes (kern_return_t values), in a range of their own ("EX").  */
#define EXEC_ERROR_BASE 0x45580000
#define EXEC_E_NOT_REGULAR (EXEC_ERROR_BASE + 1) /* the path names a directory or a device */
#define EXEC_E_TOO_BIG (EXEC_ERROR_BASE + 2) /* the file is larger than exec loads */
#define EXEC_E_ARGS                                                                                                    \
    (EXEC_ERROR_BASE + 3) /* argv/envp over EXEC_ARGS_MAX, or a dtable,                                                \
                             dtable_kinds or portarray over bounds */
#define EXEC_E_NO_MEMORY (EXEC_ERROR_BASE + 4) /* the kernel refused memory for the task */
#define EXEC_E_TOO_MANY                                                                                                \
    (EXEC_ERROR_BASE + 5) /* the client holds EXEC_CLIENT_SHARE entries                                                \
                             of exec's table, or the table is full */
#define EXEC_E_NO_PROCESS (EXEC_ERROR_BASE + 6) /* exec_wait on a port that is no process */
#define EXEC_E_BUSY                                                                                                    \
    (EXEC_ERROR_BASE + 7) /* exec_wait while another waits already, or                                                 \
                             the client has 2 requests in progress */
#define EXEC_E_STACK (EXEC_ERROR_BASE + 8) /* the program's segments reach the stack */
