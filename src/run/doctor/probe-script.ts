/**
 * The doctor's canary attacks: one shell script that a check could have written, run once in a
 * real sandbox, that tries every attack and prints one `quorum-doctor <probe> <words>` line per
 * attempt. Pure: the script's text from what it aims at, and its output back into data. What
 * the script says is only half of the evidence; the host checks its bait afterwards (bait.ts).
 */
import { shellQuote } from '../../engine/shell-quote.ts'

/** Every line the script prints for the doctor starts with this. */
export const LINE_PREFIX = 'quorum-doctor'

/** How many processes the fork probe tries to start (the run's pids_max is far below). */
export const FORK_ATTEMPTS = 48

/** What the attacks aim at: all of it made by the doctor on the host. */
export interface ProbeTargets {
  /** A directory under HOME that runs are shown read-only; holds `host-file`. */
  visibleDir: string
  /** A secret-like file under HOME that no run may read. */
  secretFile: string
  /** The doctor's own pid and its /proc comm. */
  doctorPid: number
  doctorComm: string
  /** Pathname unix sockets the doctor listens on: under HOME, and under /run (null: none). */
  homeSocket: string
  runSocket: string | null
  /** The name of the doctor's abstract unix socket (without the leading NUL). */
  abstractSocket: string
  /** A TCP port on 127.0.0.1 the doctor listens on. */
  tcpPort: number
  /** A file the doctor made under /tmp (a "tool" there), or null. */
  tmpTool: string | null
  /** perl's absolute path (the overlay kind needs perl; the sockets and forks use it too). */
  perl: string
}

/**
 * The main probe run's script. It always exits 0: what happened is in its lines, and the
 * sandbox's own failure (exit 125) stays distinguishable.
 */
export function probeScript(t: ProbeTargets): string {
  const vars = {
    V: t.visibleDir,
    S: t.secretFile,
    P: String(t.doctorPid),
    C: t.doctorComm,
    U: t.homeSocket,
    R: t.runSocket ?? '',
    A: t.abstractSocket,
    T: String(t.tcpPort),
    X: t.tmpTool ?? '',
    PERL: t.perl,
  }
  return [
    ...Object.entries(vars).map(([name, value]) => `${name}=${shellQuote(value)}`),
    // The attempts are expected to fail: their complaints are noise, the lines are the answer.
    'exec 2>/dev/null',
    `say() { printf '${LINE_PREFIX} %s\\n' "$*"; }`,
    // Write to the host: a file the run can read (so only read-only can stop the write).
    'if read -r line <"$V/host-file"; then',
    '  w=refused',
    '  printf "overwritten by a check\\n" >"$V/host-file" && w=wrote',
    '  printf "planted by a check\\n" >"$V/planted" && w=wrote',
    '  say write-host "$w"',
    'else say write-host unseen; fi',
    // Read a secret under HOME.
    'if read -r line <"$S"; then say read-home read',
    'elif [ -e "$S" ]; then say read-home exists',
    'else say read-home hidden; fi',
    // The gate's processes: the doctor's own pid, by number and name.
    'n=0; for d in /proc/[0-9]*; do n=$((n + 1)); done',
    'init=; read -r init </proc/1/comm',
    'if read -r c <"/proc/$P/comm" && [ "$c" = "$C" ]; then say proc visible "$n" "$init"',
    'else say proc hidden "$n" "$init"; fi',
    // Capabilities the run holds.
    'ce=? cp=? nnp=?',
    'while read -r k v; do case $k in CapEff:) ce=$v;; CapPrm:) cp=$v;; NoNewPrivs:) nnp=$v;; esac; done </proc/self/status',
    'say caps "$ce" "$cp" "$nnp"',
    // A tool under /tmp.
    'if [ -n "$X" ]; then if [ -e "$X" ]; then say tmp-tool visible; else say tmp-tool hidden; fi; fi',
    // Sockets, the cgroup's limits as the run's own cgroup says them, then the fork bomb: perl.
    `"$PERL" -e ${shellQuote(PROBE_PL)} "$U" "$R" "$A" "$T" ${FORK_ATTEMPTS} || say perl failed "$?"`,
    'exit 0',
  ].join('\n')
}

/** The `network: none` run's script: one TCP connection to the doctor on 127.0.0.1. */
export function networkScript(p: { tcpPort: number; perl: string }): string {
  return [
    `"${p.perl}" -e ${shellQuote(TCP_PL)} ${p.tcpPort} 2>/dev/null || printf '${LINE_PREFIX} perl failed\\n'`,
    'exit 0',
  ].join('\n')
}

const SAY_PL = `$| = 1; sub say { print "${LINE_PREFIX} @_\\n" }`

const CONNECT_PL = String.raw`
sub tcp {
  my ($name, $port) = @_;
  socket(my $s, PF_INET, SOCK_STREAM, 0) or return say($name, 'error', "$!");
  if (connect($s, sockaddr_in($port, inet_aton('127.0.0.1')))) { say($name, 'reached') }
  else { say($name, 'refused', "$!") }
  close $s;
}`

const TCP_PL = String.raw`use Socket;
${SAY_PL}
${CONNECT_PL}
tcp('tcp-none', $ARGV[0]);`

/**
 * Connects to every socket, reads the limits of the run's own cgroup (found through
 * /proc/self/cgroup and /proc/self/mountinfo, as a check would), then forks until refused.
 */
const PROBE_PL = String.raw`use strict; use Socket; use POSIX ();
${SAY_PL}
${CONNECT_PL}
my ($home, $run, $abstract, $port, $forks) = @ARGV;
sub unix {
  my ($name, $addr) = @_;
  socket(my $s, AF_UNIX, SOCK_STREAM, 0) or return say($name, 'error', "$!");
  if (connect($s, pack_sockaddr_un($addr))) { say($name, 'reached') }
  else { say($name, 'refused', "$!") }
  close $s;
}
unix('home-socket', $home);
unix('run-socket', $run) if length $run;
unix('abstract-socket', "\0$abstract");
tcp('tcp-host', $port);
# The kernel's Landlock ABI (landlock_create_ruleset(NULL, 0, VERSION)): 6+ scopes sockets.
say('landlock', syscall(444, 0, 0, 1));

my (%path, %mount);
if (open(my $f, '<', '/proc/self/cgroup')) {
  for (<$f>) {
    chomp; my (undef, $ctl, $p) = split /:/, $_, 3;
    if ($ctl eq '') { $path{''} = $p } else { $path{$_} = $p for split /,/, $ctl }
  }
}
if (open(my $f, '<', '/proc/self/mountinfo')) {
  for (<$f>) {
    my ($pre, $post) = split / - /, $_, 2; next unless defined $post;
    my @a = split ' ', $pre; my @b = split ' ', $post;
    if ($b[0] eq 'cgroup') { $mount{$_} = [$a[4], $a[3]] for split /,/, $b[2] }
    elsif ($b[0] eq 'cgroup2') { $mount{''} = [$a[4], $a[3]] }
  }
}
sub file_of {
  my ($ctl, $name) = @_;
  my ($m, $p) = ($mount{$ctl}, $path{$ctl});
  return undef unless $m && defined $p;
  my ($point, $root) = @$m;
  $p = substr($p, length $root) if $root ne '/' && index($p, $root) == 0;
  return "$point$p/$name";
}
sub value_of {
  my $file = shift; return 'none' unless defined $file;
  open(my $f, '<', $file) or return 'none'; my $v = <$f>; chomp $v; return $v;
}
if ($mount{pids} && $mount{memory}) {
  say('cgroup', 'v1', value_of(file_of('pids', 'pids.max')),
    value_of(file_of('memory', 'memory.limit_in_bytes')));
} elsif ($mount{''} && defined $path{''}) {
  say('cgroup', 'v2', value_of(file_of('', 'pids.max')), value_of(file_of('', 'memory.max')));
} else { say('cgroup', 'none', 'none', 'none') }

my (@kids, $why);
for (1 .. $forks) {
  my $pid = fork;
  if (!defined $pid) { $why = "$!"; last }
  if ($pid == 0) { sleep 30; POSIX::_exit(0) }
  push @kids, $pid;
}
kill 'KILL', @kids; waitpid($_, 0) for @kids;
say('pids', scalar(@kids), $forks, $why // 'none');`

/** What the probe lines say, by probe name: the words after the name. */
export type ProbeLines = ReadonlyMap<string, readonly string[]>

/**
 * The `quorum-doctor <probe> <words>` lines of a run's output, by probe (the first of a name
 * wins: a later copy could only come from something else printing). Everything else is ignored.
 */
export function parseProbeLines(output: string): ProbeLines {
  const lines = new Map<string, string[]>()
  for (const line of output.split('\n')) {
    const words = line.trim().split(/\s+/)
    if (words[0] !== LINE_PREFIX || words[1] === undefined) continue
    if (!lines.has(words[1])) lines.set(words[1], words.slice(2))
  }
  return lines
}
