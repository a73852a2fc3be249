/**
 * Check run annotations extracted from what failing checks printed. Output is parsed as data:
 * `::error file=…::` lines printed by a check become annotations on our check run (never runner
 * commands), and compiler-style `path:line:col` locations point at repository files only.
 */
import type { CheckReport, Report } from '../engine/types.ts'
import type { ViewContext } from './context.ts'
import { needsAttention, outputText } from './format.ts'
import {
  ANNOTATION_MESSAGE_MAX_CHARS,
  ANNOTATION_TITLE_MAX_CHARS,
  ANNOTATIONS_PER_CHECK,
  ANNOTATIONS_TOTAL,
} from './limits.ts'
import { breakHtmlComments, clip, plainLine, stripControl } from './sanitize.ts'

/** One annotation, shaped like an item of `output.annotations` in GitHub's checks REST API. */
export interface Annotation {
  path: string
  start_line: number
  end_line: number
  /** Only when start_line === end_line (GitHub rejects columns on multi-line annotations). */
  start_column?: number
  end_column?: number
  annotation_level: 'notice' | 'warning' | 'failure'
  message: string
  title?: string
}

/** Limits for {@link extractAnnotations}. */
export interface AnnotationLimits {
  perCheck: number
  total: number
}

// Scan this much of each output (the kept head and tail are already bounded by the runner, but a
// report can come from anywhere) and each line up to this length.
const SCAN_CHARS = 512 * 1024
const SCAN_LINE_CHARS = 2_000
const MAX_LINE_NUMBER = 10_000_000

/**
 * Annotations for every non-passing candidate run, in report order: at most `perCheck` per check
 * and `total` overall, deduplicated, paths relative to the repository.
 */
export function extractAnnotations(
  report: Report,
  ctx: Pick<ViewContext, 'treeRoot'>,
  limits: AnnotationLimits = { perCheck: ANNOTATIONS_PER_CHECK, total: ANNOTATIONS_TOTAL },
): Annotation[] {
  const all: Annotation[] = []
  for (const check of report.checks) {
    if (!needsAttention(check)) continue
    const room = Math.min(limits.perCheck, limits.total - all.length)
    if (room <= 0) break
    all.push(...annotationsForCheck(check, ctx.treeRoot ?? null, room))
  }
  return all
}

/** Annotations found in one check's candidate output, at most `max`. */
export function annotationsForCheck(
  check: CheckReport,
  treeRoot: string | null,
  max: number = ANNOTATIONS_PER_CHECK,
): Annotation[] {
  const title = plainLine(`quorum: ${check.name}`, ANNOTATION_TITLE_MAX_CHARS)
  // Absolute paths in output point into the run's sandbox, not into the tree it was made from.
  const root = check.candidate.sandbox_root ?? treeRoot
  return parseAnnotations(outputText(check.candidate.output), { treeRoot: root, title, max })
}

/** Options for {@link parseAnnotations}. */
export interface ParseOptions {
  /** Absolute paths under this directory are made relative; others are ignored. */
  treeRoot: string | null
  /** Title given to every annotation. */
  title?: string
  max: number
}

// A file path as tools print it: no whitespace or delimiters, ending in a name with an extension
// (which keeps out `node:internal/...`, times like `12:30:01` and most prose).
const PATH = String.raw`(?:file://)?[^\s:()<>"'|*?,\[\]{}]*[^\s:()<>"'|*?,\[\]{}.]\.[A-Za-z][A-Za-z0-9]{0,9}`
// path(line[,col]) — tsc, MSBuild, dotnet.
const PAREN_LOCATION = new RegExp(String.raw`(?:^|[\s'"\[(])(${PATH})\((\d+)(?:,(\d+))?\)`)
// path:line[:col] — gcc, clang, eslint unix, tsc --pretty, go, rustc, node stack frames.
const COLON_LOCATION = new RegExp(String.raw`(?:^|[\s'"\[(])(${PATH}):(\d+)(?::(\d+))?(?![\d/])`)
// File "path", line N — Python tracebacks.
const PYTHON_LOCATION = new RegExp(String.raw`File "(${PATH})", line (\d+)()`)
// ::error file=…,line=…::message (also warning/notice), as the runner would parse it.
const WORKFLOW_COMMAND = /^\s*::(error|warning|notice)(?:\s+([^:]*))?::(.*)$/

/**
 * Annotations found in untrusted output text: workflow-command lines (`::error file=a.ts,line=3::x`)
 * and compiler-style locations (`a.ts:3:7: message`, `a.ts(3,7): message`, stack frames), one per
 * line, first match wins. Lines without a usable repository path are skipped.
 */
export function parseAnnotations(text: string, options: ParseOptions): Annotation[] {
  const scanned = text.length > SCAN_CHARS ? text.slice(text.length - SCAN_CHARS) : text
  const seen = new Set<string>()
  const found: Annotation[] = []
  for (const rawLine of stripControl(scanned).split('\n')) {
    if (found.length >= options.max) break
    const line = rawLine.length > SCAN_LINE_CHARS ? rawLine.slice(0, SCAN_LINE_CHARS) : rawLine
    const annotation = parseLine(line, options.treeRoot)
    if (annotation === null) continue
    if (options.title !== undefined && annotation.title === undefined) {
      annotation.title = options.title
    }
    const key = `${annotation.path}\0${annotation.start_line}\0${annotation.start_column ?? ''}\0${annotation.message}`
    if (seen.has(key)) continue
    seen.add(key)
    found.push(annotation)
  }
  return found
}

function parseLine(line: string, treeRoot: string | null): Annotation | null {
  const command = WORKFLOW_COMMAND.exec(line)
  if (command) return fromWorkflowCommand(command, treeRoot)
  const match = PAREN_LOCATION.exec(line) ?? COLON_LOCATION.exec(line) ?? PYTHON_LOCATION.exec(line)
  if (!match) return null
  const path = toRepoPath(match[1] ?? '', treeRoot)
  const startLine = toPositive(match[2])
  if (path === null || startLine === null) return null
  const column = toPositive(match[3])
  const rest = line
    .slice((match.index ?? 0) + match[0].length)
    .replace(/^[\s:,)\]'"`-]+/, '')
    .trim()
  const annotation: Annotation = {
    path,
    start_line: startLine,
    end_line: startLine,
    annotation_level: levelFromText(rest),
    // A location at the end of a line (a stack frame, `location: 'a.js:3:1'`) explains nothing
    // by what follows it; the whole line does.
    message: cleanMessage(/[\p{L}\p{N}]/u.test(rest) ? rest : line),
  }
  if (column !== null) {
    annotation.start_column = column
    annotation.end_column = column
  }
  return annotation
}

function fromWorkflowCommand(match: RegExpExecArray, treeRoot: string | null): Annotation | null {
  const props = new Map<string, string>()
  for (const pair of (match[2] ?? '').split(',')) {
    const eq = pair.indexOf('=')
    if (eq <= 0) continue
    props.set(pair.slice(0, eq).trim().toLowerCase(), unescapeProperty(pair.slice(eq + 1)))
  }
  const path = toRepoPath(props.get('file') ?? '', treeRoot)
  const startLine = toPositive(props.get('line'))
  if (path === null || startLine === null) return null
  const endLine = Math.max(startLine, toPositive(props.get('endline')) ?? startLine)
  const annotation: Annotation = {
    path,
    start_line: startLine,
    end_line: endLine,
    annotation_level: match[1] === 'error' ? 'failure' : (match[1] as 'warning' | 'notice'),
    message: cleanMessage(unescapeData(match[3] ?? '') || 'reported by the check'),
  }
  const col = toPositive(props.get('col'))
  if (col !== null && startLine === endLine) {
    annotation.start_column = col
    annotation.end_column = Math.max(col, toPositive(props.get('endcolumn')) ?? col)
  }
  const title = props.get('title')
  if (title) annotation.title = plainLine(title, ANNOTATION_TITLE_MAX_CHARS)
  return annotation
}

/**
 * A path printed by a check as a repository-relative POSIX path, or null when it is not one:
 * absolute paths are accepted only under `treeRoot` (then made relative), and paths that climb
 * out (`..`), point into `node_modules`, or are empty are refused.
 */
export function toRepoPath(raw: string, treeRoot: string | null): string | null {
  let path = raw.trim()
  if (path.startsWith('file://')) {
    try {
      path = decodeURIComponent(path.slice('file://'.length))
    } catch {
      return null
    }
  }
  path = path.replace(/\\/g, '/')
  if (path === '' || path.includes('\0')) return null
  const isAbsolute = path.startsWith('/') || /^[A-Za-z]:\//.test(path)
  if (isAbsolute) {
    const root = (treeRoot ?? '').replace(/\\/g, '/').replace(/\/+$/, '')
    if (root === '' || !path.startsWith(`${root}/`)) return null
    path = path.slice(root.length + 1)
  }
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..' || segment === '~' || segment === 'node_modules') return null
    segments.push(segment)
  }
  return segments.length === 0 ? null : segments.join('/')
}

function toPositive(value: string | undefined): number | null {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return null
  const n = Number(value)
  return n >= 1 && n <= MAX_LINE_NUMBER ? n : null
}

function levelFromText(message: string): Annotation['annotation_level'] {
  // Compiler lines say what they are; a location in a failing run is a failure unless it says
  // it is only a warning or a note.
  if (/^(?:warning|warn)\b/i.test(message)) return 'warning'
  if (/^(?:note|info|notice)\b/i.test(message)) return 'notice'
  return 'failure'
}

function cleanMessage(text: string): string {
  return clip(breakHtmlComments(stripControl(text)).trim(), ANNOTATION_MESSAGE_MAX_CHARS)
}

// The runner's escapes for command data and properties (%25 last, so "%253A" stays "%3A").
function unescapeData(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text: string): string {
  return text
    .replace(/%0D/gi, '\r')
    .replace(/%0A/gi, '\n')
    .replace(/%3A/gi, ':')
    .replace(/%2C/gi, ',')
    .replace(/%25/g, '%')
}
