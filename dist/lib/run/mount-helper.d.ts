/**
 * The mount helper of overlay runs (see MOUNT_HELPER) and the syscall numbers it needs.
 */
/**
 * Syscall numbers of mount(2), mount_setattr(2) and prctl(2), per Node's process.arch. (The
 * Landlock calls, 444 and 446, are the same on both.)
 */
export declare const MOUNT_SYSCALLS: Partial<Record<string, readonly [number, number, number]>>;
/**
 * The mount helper: one perl process (perl-base is an essential package on Debian and Ubuntu,
 * so every runner has it) that does all of a run's mounts with raw syscalls, in the run's own
 * mount and pid namespaces, before the check starts. One process instead of a dozen mount(8)
 * executions keeps a run's overhead small, and `mount_setattr(AT_RECURSIVE)` (Linux 5.12+)
 * makes every mount of the host read-only in one call, which mount(8) of util-linux < 2.39
 * cannot do. Reads `<area>/plan`, one operation per line (tab-separated), in this order:
 *   sys <mount nr> <mount_setattr nr> <prctl nr>   syscall numbers of this architecture
 *   proc                 a /proc of the run's pid namespace
 *   tmpfs <dir> <opts>   a fresh tmpfs (the run's size-capped writable space)
 *   mkdir <dir> [mode]   (mode in octal, set exactly, whatever the umask)
 *   overlay <dir> <opts> the tree (relative layer paths are relative to the area)
 *   hold <path>          remember what <path> is now (an O_PATH descriptor)
 *   ro                   every mount read-only and nosuid, recursively
 *   cover <path> <opts>  a directory gets an empty private tmpfs, a file /dev/null
 *   bind <src> <dst>     a directory of ours (the run's tmpfs) mounted over <dst>, writable
 *   show <path> ro|rw    put a held path back (if a cover hid it), read-only or writable
 *   rw <path>            make the mounts at and below <path> writable again
 *   seal <path>          make a cover read-only (that mount alone, not those below it), if
 *                        it is still in view
 *   lo                   bring up the loopback interface (in a private network namespace)
 *   cd <dir>
 *   scope                where the kernel has it (Landlock ABI 6, Linux 6.12), keep the command
 *                        and everything it starts from connecting to abstract unix sockets and
 *                        signalling processes made outside the run
 * then execs its arguments. Any failure: the reason in <area>/sandbox-error, exit 125.
 */
export declare const MOUNT_HELPER: string;
