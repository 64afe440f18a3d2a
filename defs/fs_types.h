/* The C side of fs.defs, the project's file protocol (subsystem 24000): the layouts carried in
   its arrays and structures, its flags and its error codes. Shared by the MIG stubs, the ext2fs
   server and lib/fsclient; plain C without Mach's headers, so that the generated stubs and host
   code (tests) can include it.  */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
#define FS_STATIC_ASSERT static_assert
#else
#define FS_STATIC_ASSERT _Static_assert
#endif

typedef char fs_name_t[256]; /* one path component: at most 255 bytes and a zero */
typedef char fs_path_t[1024]; /* a path or a symlink's target: at most 1023 bytes and a zero */
typedef char* fs_data_t; /* io_read, io_write, dir_readdir: see the bounds below */
typedef const char* const_fs_data_t;
typedef const char* const_fs_name_t;
typedef const char* const_fs_path_t;

/* Bounds the server enforces. io_read returns at most FS_IO_MAX bytes (fewer is a short read,
   as POSIX allows); io_write takes at most FS_IO_MAX bytes of a request and says how many it
   wrote. dir_readdir fills at most FS_READDIR_MAX bytes (in-line in the reply).  */
#define FS_IO_MAX (1024 * 1024)
#define FS_READDIR_MAX 2048
#define FS_NAME_MAX 255
#define FS_PATH_MAX 1023
#define FS_IDS_MAX 16 /* ids in an identity (io_restrict_auth, io_get_auth) */

/* dir_lookup's flags. The meanings are the Hurd's O_* flags of the same names; the values
   are this protocol's own.  */
#define FS_LOOKUP_READ 0x0001 /* the port may io_read */
#define FS_LOOKUP_WRITE 0x0002 /* write access (fs.defs): the port may change its node */
#define FS_LOOKUP_EXEC 0x0004 /* the caller means to execute the file (needs an x bit) */
#define FS_LOOKUP_CREATE 0x0010 /* create a regular file if the last component is missing */
#define FS_LOOKUP_EXCL 0x0020 /* with CREATE: fail with FS_EEXIST if it exists */
#define FS_LOOKUP_NOLINK 0x0040 /* do not follow a symlink in the last component */
#define FS_LOOKUP_APPEND 0x0100 /* io_write at offset -1 writes at the end of the file */
#define FS_LOOKUP_TRUNC 0x10000 /* with WRITE: truncate a regular file to 0 */
#define FS_LOOKUP_DIRECTORY 0x80000 /* fail with FS_ENOTDIR unless the result is a directory */

/* io_seek's whence.  */
#define FS_SEEK_SET 0
#define FS_SEEK_CUR 1
#define FS_SEEK_END 2

/* io_read and io_write at this offset use (and advance) the port's own file position.  */
#define FS_OFFSET_CURRENT ((int64_t)-1)

/* file_utimes: leave the time as it is / set it to the server's clock.  */
#define FS_TIME_OMIT ((int64_t)-1)
#define FS_TIME_NOW ((int64_t)-2)

/* Error codes (kern_return_t values). FS_ERROR_BASE + the Linux errno of the same meaning, in
   a range of their own ('FS' in the high bytes) that collides neither with Mach's codes nor
   with the ext2 library's (0x4532xxxx). fsclient names them (fsclient::error_name).  */
#define FS_ERROR_BASE 0x46530000
#define FS_EPERM                                                                                                       \
    (FS_ERROR_BASE + 1) /* not permitted (a hard link to a directory, not                                              \
                           the owner, an identity not one's own) */
#define FS_ENOENT (FS_ERROR_BASE + 2) /* no such file or directory */
#define FS_EIO (FS_ERROR_BASE + 5) /* the disk failed */
#define FS_EBADF (FS_ERROR_BASE + 9) /* the port was not opened for that (read, write) */
#define FS_ENOMEM (FS_ERROR_BASE + 12) /* the server is out of memory */
#define FS_EACCES (FS_ERROR_BASE + 13) /* the permission bits refuse the port's identity */
#define FS_EBUSY (FS_ERROR_BASE + 16) /* the root, or a directory in use */
#define FS_EEXIST (FS_ERROR_BASE + 17) /* the name exists */
#define FS_EXDEV (FS_ERROR_BASE + 18) /* the port given is not a node of this server */
#define FS_ENOTDIR (FS_ERROR_BASE + 20) /* not a directory */
#define FS_EISDIR (FS_ERROR_BASE + 21) /* a directory (io_write, unlink) */
#define FS_EINVAL (FS_ERROR_BASE + 22) /* a bad argument */
#define FS_ENFILE                                                                                                      \
    (FS_ERROR_BASE + 23) /* the server's table of open nodes is full, or                                               \
                            the uid's share of it (fs.defs) */
#define FS_EFBIG (FS_ERROR_BASE + 27) /* beyond the largest file */
#define FS_ENOSPC (FS_ERROR_BASE + 28) /* no free block or inode */
#define FS_ESPIPE (FS_ERROR_BASE + 29) /* a seek to a negative offset */
#define FS_EROFS (FS_ERROR_BASE + 30) /* the filesystem is read-only */
#define FS_EMLINK (FS_ERROR_BASE + 31) /* too many links */
#define FS_ENAMETOOLONG (FS_ERROR_BASE + 36) /* a name over 255 bytes, a path over 1023 */
#define FS_ENOTEMPTY (FS_ERROR_BASE + 39) /* the directory is not empty */
#define FS_ELOOP (FS_ERROR_BASE + 40) /* more than FS_SYMLINK_MAX symlinks on a path */
#define FS_EOPNOTSUPP (FS_ERROR_BASE + 95) /* not supported by this filesystem */
#define FS_ESTALE (FS_ERROR_BASE + 116) /* the node is gone (freed while the server remounted) */
#define FS_EUCLEAN (FS_ERROR_BASE + 117) /* the image is corrupt there; the console says where */

#define FS_SYMLINK_MAX 32

/* io_stat's answer (the fields of POSIX's struct stat, without the st_ prefix that C
   libraries define as macros).  */
struct fs_stat {
    uint64_t ino;
    uint64_t size;
    uint64_t blocks; /* space used, in 512-byte units */
    uint32_t mode; /* type and permission bits, as POSIX (S_IFREG 0100000 ...) */
    uint32_t nlink;
    uint32_t uid;
    uint32_t gid;
    uint32_t atime; /* seconds since 1970 */
    uint32_t mtime;
    uint32_t ctime;
    uint32_t blksize; /* the filesystem's block size */
    uint32_t rdev;
    uint32_t flags; /* the inode's flags (EXT2_*_FL) */
    uint32_t gen;
    uint32_t spare;
};
typedef struct fs_stat fs_stat_t;
FS_STATIC_ASSERT(sizeof(struct fs_stat) == 18 * 4, "fs_stat_t is struct[18] of int in fs.defs");

/* file_statfs's answer.  */
#define FS_STATFS_READONLY 1
#define FS_TYPE_EXT2 0xef53
struct fs_statfs {
    uint64_t f_blocks;
    uint64_t f_bfree;
    uint64_t f_bavail; /* free blocks not reserved for root */
    uint64_t f_files;
    uint64_t f_ffree;
    uint32_t f_bsize;
    uint32_t f_namemax;
    uint32_t f_flags; /* FS_STATFS_* */
    uint32_t f_type; /* FS_TYPE_EXT2 */
};
typedef struct fs_statfs fs_statfs_t;
FS_STATIC_ASSERT(sizeof(struct fs_statfs) == 14 * 4, "fs_statfs_t is struct[14] of int in fs.defs");

/* fs_server_stats's answer: what the server uses, for benchmarks and diagnostics.  */
struct fs_server_stats {
    uint64_t resident_bytes; /* task_info(TASK_BASIC_INFO) of the server's own task */
    uint64_t virtual_bytes;
    uint64_t cache_bytes; /* the block cache's budget in use (buffers and table) */
    uint64_t cached_blocks;
    uint64_t dirty_blocks;
    uint64_t metadata_bytes; /* the mounted filesystem's own tables */
    uint64_t heap_bytes; /* the server's heap in use */
    uint64_t open_nodes; /* ports on nodes handed out and not yet released */
};
typedef struct fs_server_stats fs_server_stats_t;

/* The identity a port carries (fsys_getroot's ids, io_restrict_auth, io_get_auth):
   uids[0..uid_count) and gids[0..gid_count); the first of each is the effective one (the owner
   and group of what the port creates). Counts above FS_IDS_MAX are refused. As the Hurd's
   idvecs: an identity with uid 0 among its uids is root; the owner's permission bits apply when
   any of its uids owns the node, else the group's when any of its gids is the node's group,
   else the others'. An identity without uids or gids is nobody: the others' bits apply, and
   what it creates is owned by FS_ID_NOBODY.  */
#define FS_ID_NOBODY 65534
/* file_chown: leave the owner or the group as it is.  */
#define FS_ID_UNCHANGED ((uint32_t)-1)
struct fs_identity {
    uint32_t uid_count;
    uint32_t gid_count;
    uint32_t uids[FS_IDS_MAX];
    uint32_t gids[FS_IDS_MAX];
};
FS_STATIC_ASSERT(sizeof(struct fs_identity) == 34 * 4, "fs_identity_t is struct[34] of uint32_t in fs.defs");
typedef struct fs_identity fs_identity_t;
FS_STATIC_ASSERT(sizeof(struct fs_server_stats) == 16 * 4, "fs_server_stats_t is struct[16] of int in fs.defs");

/* dir_readdir's data: packed records, each 8-byte aligned:
     uint32_t ino; uint16_t reclen (the whole record); uint8_t type (FS_DT_*); uint8_t namelen;
     then the name, a zero, and padding to reclen.  */
struct fs_dirent_header {
    uint32_t d_ino;
    uint16_t d_reclen;
    uint8_t d_type;
    uint8_t d_namlen;
};
FS_STATIC_ASSERT(sizeof(struct fs_dirent_header) == 8, "dirent header is 8 bytes");
#define FS_DIRENT_SIZE(namelen) ((sizeof(struct fs_dirent_header) + (namelen) + 1 + 7) & ~(uint32_t)7)

/* Entry types (the ext2 filetype values); FS_DT_UNKNOWN when the filesystem does not say.  */
#define FS_DT_UNKNOWN 0
#define FS_DT_REG 1
#define FS_DT_DIR 2
#define FS_DT_CHR 3
#define FS_DT_BLK 4
#define FS_DT_FIFO 5
#define FS_DT_SOCK 6
#define FS_DT_LNK 7
