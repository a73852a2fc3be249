import { type Workspace } from '../run/workspace.ts';
import type { Isolation } from './assemble-report.ts';
import type { GateOptions, TreeDirs } from './options.ts';
/** Creates the workspace every run of this gate goes through. */
export declare function openGateWorkspace(options: GateOptions, dirs: TreeDirs): Promise<Workspace>;
/** How isolated the runs were, as the report states it (read once every run has ended). */
export declare function isolationOf(workspace: Workspace, options: GateOptions): Isolation;
