/**
 * What an overlay run may read outside its own tree, HOME and TMPDIR: the read side of the
 * sandbox's allow list (DESIGN "Reads follow an allow list").
 *
 * The host stays visible read-only, minus the homes: every user's home directory (`/home`,
 * `/root`, the gate user's HOME wherever it is, and the homes /etc/passwd names for people) gets
 * an empty mount over it. What a check's own tools need from under a home comes back read-only:
 * the directory of each PATH entry that lies under one (nvm, pyenv, cargo, a self-hosted runner's
 * tool cache), and for an entry named `bin` or `shims` its parent, the tool's install prefix
 * (`~/.nvm/versions/node/v24`, `~/.pyenv`), since the programs there load their libraries from
 * beside `bin`. Anything else is the config's to name (`read_only_paths`).
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { isInside } from "../engine/paths.js";
/** Directories every home lives under on the systems Quorum runs on. */
const HOME_ROOTS = ['/home', '/root'];
/**
 * Parents that are too wide to show for a `bin` entry: HOME itself (`~/bin`) and `~/.local`,
 * whose `share` holds keyrings and application data. `~/.local/bin` shows `~/.local/lib` too
 * (where `pip install --user` puts the modules its scripts import).
 */
const WIDE_PREFIXES = ['', '.local'];
/**
 * Credentials that live inside a tool's install prefix that is shown again (cargo keeps the
 * registry token beside its bin/): masked under every hidden home's prefix that is shown.
 */
const CREDENTIALS_IN_PREFIXES = ['.cargo/credentials', '.cargo/credentials.toml'];
/** Lowest uid of a person's account (Debian, Ubuntu, Fedora); system accounts sit below it. */
const FIRST_PERSON_UID = 1000;
/**
 * The directories whose content runs must not see: every home (see the module comment). Paths
 * that do not exist are left out; none of them is `/`.
 */
export function hiddenHomes(env) {
    const dirs = new Set(HOME_ROOTS);
    const home = env['HOME'];
    if (home && isAbsolute(home))
        dirs.add(normalize(home));
    for (const dir of passwdHomes())
        dirs.add(dir);
    return [...dirs].filter((d) => d !== '/' && existsSync(d));
}
/** Homes of people's accounts (uid >= 1000, and root) from /etc/passwd; [] when unreadable. */
function passwdHomes() {
    let text;
    try {
        text = readFileSync('/etc/passwd', 'utf8');
    }
    catch {
        return [];
    }
    const homes = [];
    for (const line of text.split('\n')) {
        const fields = line.split(':');
        if (fields.length < 7)
            continue;
        const uid = Number(fields[2]);
        const dir = fields[5] ?? '';
        if (!Number.isInteger(uid) || (uid !== 0 && uid < FIRST_PERSON_UID) || uid === 65534)
            continue;
        if (!isAbsolute(dir) || dir === '/' || dir.startsWith('/nonexistent'))
            continue;
        homes.push(normalize(dir));
    }
    return homes;
}
/**
 * The tool directories a run needs that lie under a hidden or private directory: for each PATH
 * entry (and the running node's own directory, for function checks) under one of `hidden`, the
 * entry itself, or its install prefix (see the module comment). Resolved links count too: a
 * PATH entry that is a link into a home shows where it leads.
 */
export function toolDirsUnder(hidden, env) {
    const entries = (env['PATH'] ?? '').split(':').filter((d) => isAbsolute(d));
    entries.push(dirname(process.execPath));
    const dirs = new Set();
    for (const entry of entries) {
        for (const dir of [normalize(entry), realpathOrNull(entry)]) {
            if (dir === null || !existsSync(dir))
                continue;
            const under = hidden.find((h) => isInside(dir, h));
            if (under === undefined)
                continue;
            const home = homeOf(dir, hidden) ?? under;
            // A PATH entry that is a home (or /home) itself would show everything in it.
            if (dir === home || hidden.includes(dir) || HOME_ROOTS.includes(dir))
                continue;
            for (const shown of installPrefix(dir, home))
                dirs.add(shown);
        }
    }
    return [...dirs];
}
/**
 * What to show for one tool directory: the directory, or for `.../bin` and `.../shims` its
 * parent, unless that parent is a home itself or a home's `.local` (then `bin` and `lib`).
 */
function installPrefix(dir, home) {
    const name = basename(dir);
    if (name !== 'bin' && name !== 'shims')
        return [dir];
    const prefix = dirname(dir);
    const rel = isInside(prefix, home) ? prefix.slice(home.length).replace(/^\/+/, '') : null;
    if (rel === null || rel.includes('..'))
        return [dir];
    if (!WIDE_PREFIXES.includes(rel))
        return [prefix];
    if (rel === '.local' && name === 'bin')
        return [dir, join(prefix, 'lib')].filter(existsSync);
    return [dir];
}
/** The home (a direct child of /home, or /root, or a hidden HOME) that `dir` lies in, or null. */
function homeOf(dir, hidden) {
    const parts = dir.split('/');
    if (parts[1] === 'home' && parts.length > 2)
        return `/home/${parts[2]}`;
    // The deepest hidden directory that holds `dir`: HOME wherever it is, or /root.
    const holders = hidden.filter((h) => isInside(dir, h)).sort((a, b) => b.length - a.length);
    return holders[0] ?? null;
}
function realpathOrNull(path) {
    try {
        return realpathSync(path);
    }
    catch {
        return null;
    }
}
/**
 * Credential files inside the shown tool directories (see CREDENTIALS_IN_PREFIXES), to be
 * masked: they stay hidden although their directory is shown.
 */
export function credentialsIn(shown, hidden) {
    const out = [];
    for (const dir of shown) {
        const home = homeOf(dir, hidden);
        if (home === null)
            continue;
        for (const rel of CREDENTIALS_IN_PREFIXES) {
            const file = join(home, rel);
            if (isInside(file, dir))
                out.push(file);
        }
    }
    return out;
}
