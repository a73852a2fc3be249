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
    private readonly keep;
    private helperFile;
    constructor(dir: string, tools: OverlayTools, o: {
        userns: boolean;
        privateProc: boolean;
        masks: readonly string[];
        readOnly: readonly string[];
    });
    /** The mount helper's script, written once per provider where no run can change it. */
    private helper;
    /**
     * The run's mount plan (see MOUNT_HELPER). After the tree's overlays are mounted, the whole
     * host becomes read-only; then /tmp, /var/tmp, /run (daemon sockets), /dev/shm and every mask
     * get an empty private tmpfs (a masked file: /dev/null), deepest first so that a mask inside
     * another is in place before the outer one hides it; then the paths the run needs that a cover
     * hid are shown again: the caller's read-only paths (the checks module, the config) read-only,
     * and the run's own area writable. So a check can write its tree, its HOME and its TMPDIR, and
     * nothing else that outlives it.
     */
    private mountPlan;
    enter(tree: TreeLayers, _signal?: AbortSignal, options?: EnterOptions): Promise<Sandbox>;
}
