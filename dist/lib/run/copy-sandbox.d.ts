import { BaseProvider, type EnterOptions, type Sandbox, type SandboxProvider, type TreeLayers } from './sandbox-core.ts';
export declare class CopyProvider extends BaseProvider implements SandboxProvider {
    readonly kind: "copy";
    /** util-linux, so Linux only; null elsewhere and in portable mode. */
    private readonly setpriv;
    whyHidden(): string | null;
    enter(tree: TreeLayers, signal?: AbortSignal, options?: EnterOptions): Promise<Sandbox>;
}
