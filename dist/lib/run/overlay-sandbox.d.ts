import { BaseProvider, type EnterOptions, type Sandbox, type SandboxProvider, type TreeLayers } from './sandbox-core.ts';
/** Absolute paths of the host tools the overlay kind needs. */
export interface OverlayTools {
    sh: string;
    unshare: string;
    setpriv: string;
    perl: string;
    sleep: string;
    setsid: string;
    timeout: string;
}
export declare function findOverlayTools(): OverlayTools | string;
export declare class OverlayProvider extends BaseProvider implements SandboxProvider {
    readonly kind: "overlay";
    private readonly tools;
    private readonly userns;
    private readonly privateProc;
    private readonly masks;
    private readonly hidden;
    private readonly keep;
    private helperFile;
    constructor(dir: string, tools: OverlayTools, o: {
        userns: boolean;
        privateProc: boolean;
        masks: readonly string[];
        readOnly: readonly string[];
        /** Directories runs must not read (default: every home, see read-allowlist.ts). */
        hidden?: readonly string[];
        /** Where HOME and PATH come from (default process.env). */
        env?: Record<string, string | undefined>;
    });
    whyHidden(path: string): string | null;
    /** The mount helper's script, written once per provider where no run can change it. */
    private helper;
    /**
     * The run's mount plan (see MOUNT_HELPER). After the tree's overlays are mounted (with the
     * entries no key covers, TREE_HIDDEN, hidden in them), the whole host becomes read-only; then
     * /tmp, /var/tmp, /run (daemon sockets) and /dev/shm get a private, empty, writable directory,
     * and every home and every mask an empty read-only one (a masked file: /dev/null), deepest
     * first so that a mask inside another is in place before the outer one hides it; then the
     * paths the run needs that a cover hid are shown again read-only: the tools under a home or a
     * private directory, the caller's read-only paths (the checks module, the config's
     * `read_only_paths`); and the run's own area. So a check reads its tree, HOME, TMPDIR, the
     * system and its tools, and writes only the first three.
     *
     * With a disk budget every writable place is one size- and inode-capped tmpfs: the overlay's
     * upper layer, HOME, TMPDIR and the private /tmp, /var/tmp, /run and /dev/shm are directories
     * in it, and the rest of the area is read-only, so nothing a run writes escapes the cap.
     */
    private mountPlan;
    enter(tree: TreeLayers, _signal?: AbortSignal, options?: EnterOptions): Promise<Sandbox>;
}
