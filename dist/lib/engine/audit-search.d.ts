import type { RunResult, SabotagedRun } from './types.ts';
/** What one run of a group settles, and the groups still to run. */
export interface SearchStep<F> {
    /** Files whose finding this run decides, with that finding. */
    settled: Array<[F, SabotagedRun]>;
    /** Groups to run next (a group of one is that file alone), in the order to start them. */
    next: F[][];
}
/**
 * What the run of `check` with every file of `group` broken tells: either it settles the group's
 * files, or it names the groups to run next.
 */
export declare function nextGroups<F extends {
    path: string;
}>(check: string, group: readonly F[], result: RunResult): SearchStep<F>;
/**
 * Finds which of `files` `check` notices: one SabotagedRun per file, in `files`' order, and how
 * many runs it took. `runGroup` runs the check with the files of a group broken at once; groups
 * that can run side by side are handed to it together (it schedules them).
 */
export declare function searchNoticedFiles<F extends {
    path: string;
}>(check: string, files: readonly F[], runGroup: (group: F[]) => Promise<RunResult>): Promise<{
    runs: SabotagedRun[];
    made: number;
}>;
