/**
 * The change-coverage audit's group testing, as pure logic: which of the audited files one check
 * notices, found with as few runs as the results allow. The runs themselves are the caller's
 * (src/gate/audit-runs.ts): it hands in a function that runs the check with a group of files
 * broken at once.
 *
 * The search starts with every file broken at once. A group that passes settles all its files at
 * once (the check noticed none of them). A group that did not pass is searched further: the files
 * whose message the failing run printed (each broken file names itself when loaded) run alone, and
 * the others again as one group; a failing group that printed no message (an emptied file, a
 * quiet runner) is split in two, or, when it ran out of time, run file by file (a hang would cost
 * the whole budget again at each level). A file counts as noticed only from a run with it alone
 * broken. Grouping assumes that breaking more files cannot hide the breakage of one.
 */
import { sabotagedRunOf, showsSabotageOf } from "./audit.js";
/**
 * What the run of `check` with every file of `group` broken tells: either it settles the group's
 * files, or it names the groups to run next.
 */
export function nextGroups(check, group, result) {
    const run = sabotagedRunOf(check, result);
    if (group.length === 1)
        return { settled: [[group[0], run]], next: [] };
    if (run.noticed === false) {
        // It passed with all of them broken: it noticed none of them.
        return {
            settled: group.map((file) => [
                file,
                { ...run, together: true, broken_together: group.length },
            ]),
            next: [],
        };
    }
    const alone = group.map((file) => [file]);
    // The run could not start: each file gets a run of its own, and its own reason.
    if (run.noticed === null)
        return { settled: [], next: alone };
    // It noticed one or more of them. The files whose message it printed are the likely ones:
    // each is confirmed alone while the rest run again as a group. Without a message to go by (an
    // emptied file, a runner that prints little), the group is split in two.
    const named = group.filter((file) => printedMarkerOf(result, file.path));
    // A group that ran out of time and named nothing is not split: each half holding the file
    // would use the whole budget again, level after level. Each file runs alone instead, so only
    // the run of that file waits for the budget.
    const hung = result.outcome === 'TIMEOUT' && named.length === 0;
    if (named.length === group.length || hung)
        return { settled: [], next: alone };
    if (named.length > 0) {
        const rest = group.filter((file) => !named.includes(file));
        return { settled: [], next: [...named.map((file) => [file]), rest] };
    }
    const half = Math.ceil(group.length / 2);
    return { settled: [], next: [group.slice(0, half), group.slice(half)] };
}
/**
 * Finds which of `files` `check` notices: one SabotagedRun per file, in `files`' order, and how
 * many runs it took. `runGroup` runs the check with the files of a group broken at once; groups
 * that can run side by side are handed to it together (it schedules them).
 */
export async function searchNoticedFiles(check, files, runGroup) {
    if (files.length === 0)
        return { runs: [], made: 0 };
    const found = new Map();
    let made = 0;
    const settle = async (group) => {
        made++;
        const step = nextGroups(check, group, await runGroup(group));
        for (const [file, run] of step.settled)
            found.set(file, run);
        await Promise.all(step.next.map(settle));
    };
    await settle([...files]);
    return { runs: files.map((file) => found.get(file)), made };
}
/**
 * Whether `result` shows the message the broken `path` fails with. Only a lead to follow: a file
 * is counted noticed from a run with it alone broken.
 */
function printedMarkerOf(result, path) {
    return [result.output.head, result.output.tail, result.reason].some((text) => showsSabotageOf(text, path));
}
