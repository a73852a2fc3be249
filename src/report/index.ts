/**
 * The report views: everything that turns a {@link Report} into text for GitHub or a terminal.
 * Pure functions of the report and a {@link ViewContext}; no I/O, no @actions/*.
 */
export type { ViewContext } from './context.ts'
export {
  markCommentOutdated,
  renderComment,
  renderCheckRun,
  renderSummary,
  safeUrl,
} from './markdown.ts'
export type { CheckRunOutput } from './markdown.ts'
export { renderTerminal } from './terminal.ts'
export type { TerminalOptions } from './terminal.ts'
export { extractAnnotations, parseAnnotations, toRepoPath } from './annotations.ts'
export type { Annotation } from './annotations.ts'
export { neutralizeWorkflowCommands, toRunnerLog } from './log-safe.ts'
export * from './comment-markers.ts'
export * from './limits.ts'
export * from './sanitize.ts'
