import type { Report } from '../engine/types.ts';
/** Options for {@link renderTerminal}. */
export interface TerminalOptions {
    /** Emit ANSI colours (only for a TTY that wants them). */
    color: boolean;
    /** Terminal width in columns; lines are cut to it. Unlimited when absent. */
    width?: number;
    /** Output lines shown per non-passing check (default 10). */
    tailLines?: number;
}
/**
 * Renders `report` for a terminal, ending with a newline. The verdict is the last line. ANSI
 * colour codes appear only when `options.color` is true; all text from checks is stripped of
 * escapes and control characters and cut to `options.width` when given.
 */
export declare function renderTerminal(report: Report, options: TerminalOptions): string;
