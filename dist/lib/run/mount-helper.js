/**
 * The mount helper of overlay runs (see MOUNT_HELPER) and the syscall numbers it needs.
 */
/**
 * Syscall numbers of mount(2), mount_setattr(2) and prctl(2), per Node's process.arch. (The
 * Landlock calls, 444 and 446, are the same on both.)
 */
export const MOUNT_SYSCALLS = {
    x64: [165, 442, 157],
    arm64: [40, 442, 167],
};
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
export const MOUNT_HELPER = String.raw `use strict;
my $area = shift @ARGV;
# The error file is opened only to report: a file open for writing would make the read-only
# remount fail with EBUSY (a mount with writers cannot become read-only).
sub fail {
  my $m = shift;
  if (open(my $err, '>>', "$area/sandbox-error")) { print $err "$m\n"; close $err }
  print STDERR "quorum sandbox: $m\n";
  exit 125;
}
open(my $plan, '<', "$area/plan") or fail("cannot read the mount plan: $!");
my @ops = map { chomp; [split /\t/] } <$plan>;
close $plan;
chdir $area or fail("cannot enter the sandbox area: $!");
my ($SYS_MOUNT, $SYS_SETATTR, $SYS_PRCTL) = (0, 0, 0);
my (%held, %covered);
sub mnt {
  my ($src, $dst, $type, $flags, $data) = @_;
  return syscall($SYS_MOUNT, $src, $dst, $type, $flags, $data) == 0;
}
sub setattr {
  my ($path, $set, $clr, $flags) = @_;
  my $attr = pack('Q4', $set, $clr, 0, 0);
  return syscall($SYS_SETATTR, -100, $path, $flags // 0x8000, $attr, length $attr) == 0;
}
sub mkpath {
  my ($path, $file) = @_;
  my $at = '';
  my @parts = grep { length } split m{/}, $path;
  my $last = pop @parts;
  for my $p (@parts) { $at .= "/$p"; mkdir $at unless -e $at; }
  $at .= "/$last";
  return if -e $at || -l $at;
  if ($file) { open(my $fh, '>', $at) or fail("cannot create $at: $!"); close $fh }
  else { mkdir $at or fail("cannot create $at: $!") }
}
for my $op (@ops) {
  my ($what, $a, $b) = @$op;
  next unless defined $what;
  if ($what eq 'sys') { ($SYS_MOUNT, $SYS_SETATTR, $SYS_PRCTL) = ($a + 0, $b + 0, $op->[3] + 0) }
  elsif ($what eq 'proc') {
    my ($s, $d, $t) = ('proc', '/proc', 'proc');
    mnt($s, $d, $t, 2 | 4 | 8, 0) or fail("cannot mount a private /proc: $!");
  }
  elsif ($what eq 'tmpfs') {
    my ($s, $t) = ('quorum', 'tmpfs');
    mnt($s, $a, $t, 2 | 4, $b) or fail("cannot mount the run's tmpfs at $a: $!");
  }
  elsif ($what eq 'mkdir') {
    mkdir $a or -d $a or fail("cannot create $a: $!");
    if (defined $b) { chmod(oct($b), $a) or fail("cannot set the mode of $a: $!") }
  }
  elsif ($what eq 'overlay') {
    my ($s, $t) = ('quorum', 'overlay');
    mnt($s, $a, $t, 0, $b) or fail("overlay mount at $a failed: $!");
  }
  elsif ($what eq 'hold') {
    # A path that does not exist has nothing to show again (and cannot appear: the host is
    # about to become read-only).
    next unless -e $a || -l $a;
    sysopen(my $fh, $a, 0x200000) or fail("cannot open $a: $!");
    $held{$a} = $fh;
  }
  elsif ($what eq 'ro') {
    my $root = '/';
    setattr($root, 1 | 2, 0)
      or fail($!{ENOSYS} ? 'this kernel has no mount_setattr (Linux 5.12 or newer is needed)' : "cannot make the host read-only: $!");
  }
  elsif ($what eq 'cover') {
    next if -l $a || !-e $a;
    if (-d $a) {
      my ($s, $t) = ('quorum', 'tmpfs');
      mnt($s, $a, $t, 2 | 4, $b) or fail("cannot hide $a: $!");
      $covered{$a} = 1;
    } else {
      my $s = '/dev/null';
      mnt($s, $a, 0, 4096, 0) or fail("cannot hide $a: $!");
    }
  }
  elsif ($what eq 'bind') {
    next if -l $b || !-d $b;
    mnt($a, $b, 0, 4096, 0) or fail("cannot mount the run's $a over $b: $!");
    setattr($b, 0, 1) or fail("cannot make $b writable: $!");
  }
  elsif ($what eq 'rw') { setattr($a, 0, 1) or fail("cannot make $a writable: $!") }
  elsif ($what eq 'seal') {
    # A cover that an outer one hid since (a HOME under /home) is out of reach already: gone
    # from view (ENOENT), or now a plain directory that holds a shown path (EINVAL).
    next unless $covered{$a};
    setattr($a, 1, 0, 0) or $!{ENOENT} or $!{EINVAL} or fail("cannot make $a read-only: $!");
  }
  elsif ($what eq 'scope') {
    # struct landlock_ruleset_attr { handled_access_fs, handled_access_net, scoped }: nothing
    # handled but the scopes (abstract unix sockets 1, signals 2). Older kernels: nothing to do.
    my $abi = syscall(444, 0, 0, 1);
    next if $abi < 6;
    my $attr = pack('Q3', 0, 0, 1 | 2);
    my $fd = syscall(444, $attr, length $attr, 0);
    fail("cannot create a Landlock ruleset: $!") if $fd < 0;
    syscall($SYS_PRCTL, 38, 1, 0, 0, 0) == 0 or fail("cannot set no_new_privs: $!");
    syscall(446, $fd, 0) == 0 or fail("cannot enter the Landlock domain: $!");
    if (open(my $rs, '<&=', $fd)) { close $rs }
  }
  elsif ($what eq 'show') {
    my $fh = $held{$a} or next;
    my @was = stat($fh);
    my @now = stat($a);
    my $same = @now && $now[0] == $was[0] && $now[1] == $was[1];
    next if $same && $b eq 'ro';
    mkpath($a, !-d $fh);
    my $src = '/proc/self/fd/' . fileno($fh);
    mnt($src, $a, 0, 4096 | 16384, 0) or fail("cannot show $a: $!");
    if ($b eq 'rw') { setattr($a, 0, 1) or fail("cannot make $a writable: $!") }
  }
  elsif ($what eq 'lo') {
    socket(my $s, 2, 2, 0) or fail("cannot open a socket: $!");
    my $req = pack('a16 x24', 'lo');
    ioctl($s, 0x8913, $req) or fail("cannot read the loopback flags: $!");
    my $flags = unpack('x16 s', $req) | 1;
    $req = pack('a16 s x22', 'lo', $flags);
    ioctl($s, 0x8914, $req) or fail("cannot bring up the loopback interface: $!");
    close $s;
  }
  elsif ($what eq 'cd') { chdir $a or fail("cannot enter $a: $!") }
  else { fail("internal: unknown mount plan operation $what") }
}
%held = ();
exec { $ARGV[0] } @ARGV;
print STDERR "quorum sandbox: cannot execute $ARGV[0]: $!\n";
exit 127;
`;
