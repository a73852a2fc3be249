/**
 * What a view needs to know beyond the report itself: where it will be shown and how to link back.
 * Built by the caller (the action or the CLI); every field except the gate name is optional so
 * views render the same report offline.
 */
export interface ViewContext {
  /**
   * Name of the gate (from the config or the action input), shown in headlines and named by the
   * comment's hidden first line (`<!-- quorum:gate=NAME -->`, see comment-markers.ts).
   */
  gateName: string
  /** Commit sha of the candidate head, shown shortened. */
  headSha?: string | null
  /**
   * The workflow run the report comes from (GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT). With headSha it
   * becomes the comment's hidden second line, which lets a later run tell whether it would
   * overwrite a newer report. Without it the comment has only the first hidden line.
   */
  run?: { id: string | number; attempt: string | number } | null
  /** URL of the check run, linked from the comment and the summary. */
  checkRunUrl?: string | null
  /** URL of the full report (job summary or artifact), linked from truncation notes. */
  reportUrl?: string | null
  /**
   * Absolute path of the candidate tree as checks saw it; absolute paths printed by checks are
   * turned into repository-relative annotation paths only when they are under it.
   */
  treeRoot?: string | null
  /** Repository URL (e.g. https://github.com/owner/repo), used to link the head commit. */
  repoUrl?: string | null
}
