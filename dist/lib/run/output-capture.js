/** Lines longer than this are not scanned for a score (and never buffered whole). */
const SCORE_LINE_MAX = 4096;
/** Keeps the first headBytes and the last tailBytes of a byte stream, in constant memory. */
export class OutputCapture {
    bytes = 0;
    head;
    headLength = 0;
    ring;
    ringEnd = 0;
    ringFilled = 0;
    constructor(headBytes, tailBytes) {
        this.head = Buffer.alloc(Math.max(0, headBytes));
        this.ring = Buffer.alloc(Math.max(0, tailBytes));
    }
    push(chunk) {
        this.bytes += chunk.length;
        let rest = chunk;
        if (this.headLength < this.head.length) {
            const n = Math.min(this.head.length - this.headLength, rest.length);
            rest.copy(this.head, this.headLength, 0, n);
            this.headLength += n;
            rest = rest.subarray(n);
        }
        const cap = this.ring.length;
        if (rest.length === 0 || cap === 0)
            return;
        if (rest.length >= cap) {
            rest.copy(this.ring, 0, rest.length - cap);
            this.ringEnd = 0;
            this.ringFilled = cap;
            return;
        }
        const first = Math.min(cap - this.ringEnd, rest.length);
        rest.copy(this.ring, this.ringEnd, 0, first);
        rest.copy(this.ring, 0, first);
        this.ringEnd = (this.ringEnd + rest.length) % cap;
        this.ringFilled = Math.min(cap, this.ringFilled + rest.length);
    }
    result(logPath) {
        const head = this.head.subarray(0, this.headLength);
        const truncated = this.bytes > this.head.length + this.ring.length;
        if (this.bytes <= this.head.length) {
            return {
                head: head.toString('utf8'),
                tail: '',
                bytes: this.bytes,
                truncated,
                log_path: logPath,
            };
        }
        const tail = this.ringFilled < this.ring.length
            ? this.ring.subarray(0, this.ringFilled)
            : Buffer.concat([this.ring.subarray(this.ringEnd), this.ring.subarray(0, this.ringEnd)]);
        // Never show half a character: a sequence cut at the end of head moves to the tail when the
        // tail continues right after it, and is dropped when bytes were lost in between.
        const cut = incompleteUtf8Suffix(head);
        const headText = head.subarray(0, head.length - cut).toString('utf8');
        const tailText = truncated
            ? skipContinuationBytes(tail).toString('utf8')
            : Buffer.concat([head.subarray(head.length - cut), tail]).toString('utf8');
        return { head: headText, tail: tailText, bytes: this.bytes, truncated, log_path: logPath };
    }
}
/** Length of an incomplete UTF-8 sequence at the end of buf (0 when it ends on a boundary). */
function incompleteUtf8Suffix(buf) {
    for (let back = 1; back <= Math.min(4, buf.length); back++) {
        const byte = buf[buf.length - back];
        if ((byte & 0xc0) === 0x80)
            continue; // continuation byte: keep looking for the lead
        const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
        return back < need ? back : 0;
    }
    return 0;
}
function skipContinuationBytes(buf) {
    let i = 0;
    while (i < 3 && i < buf.length && (buf[i] & 0xc0) === 0x80)
        i++;
    return buf.subarray(i);
}
/**
 * Finds `<key>=<number>` on stdout lines as they arrive, split across chunks or not, for one or
 * more keys; the last value of each key wins. Lines longer than SCORE_LINE_MAX are skipped
 * without being buffered, so a flood without newlines costs nothing. `inf`, `nan` and numbers
 * too large for a double are kept as non-finite values, so the caller can name them.
 */
export class MetricScanner {
    pattern;
    pending = [];
    pendingLength = 0;
    skipping = false;
    last = new Map();
    keys;
    constructor(keys) {
        this.keys = new Set(keys);
        const escaped = keys.map((key) => key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
        // The key stands alone (not the end of a longer name) and the number ends at a space,
        // comma, semicolon or the end of the line: `passed=3`, `tests: passed=0.5, failed=1`.
        this.pattern = new RegExp(`(?:^|[^\\w.-])(${escaped})\\s*=\\s*([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?|[-+]?(?:inf(?:inity)?|nan))(?=$|[\\s,;])`, 'gi');
    }
    push(chunk) {
        let start = 0;
        while (start < chunk.length) {
            const nl = chunk.indexOf(10, start);
            const end = nl === -1 ? chunk.length : nl;
            const piece = chunk.subarray(start, end);
            if (!this.skipping) {
                if (this.pendingLength + piece.length > SCORE_LINE_MAX) {
                    this.skipping = true;
                    this.pending = [];
                    this.pendingLength = 0;
                }
                else if (piece.length > 0) {
                    // Copy: the chunk's memory may be reused by the stream.
                    this.pending.push(Buffer.from(piece));
                    this.pendingLength += piece.length;
                }
            }
            if (nl === -1)
                return;
            this.endLine();
            start = nl + 1;
        }
    }
    /** The last value of every key that was printed (keys never printed are absent). */
    finish() {
        this.endLine();
        return Object.fromEntries(this.last);
    }
    endLine() {
        if (!this.skipping && this.pendingLength > 0) {
            const line = Buffer.concat(this.pending)
                .toString('utf8')
                .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '');
            for (const match of line.matchAll(this.pattern)) {
                // Keys are matched case-insensitively only for inf/nan; the key itself must match exactly.
                const key = match[1];
                if (!this.keys.has(key))
                    continue;
                this.last.set(key, parseNumber(match[2]));
            }
        }
        this.pending = [];
        this.pendingLength = 0;
        this.skipping = false;
    }
}
/** A number as printed: `12.5`, `-3e2`; `inf`/`nan` in any case become Infinity/NaN. */
function parseNumber(text) {
    const lower = text.toLowerCase();
    if (lower.endsWith('nan'))
        return Number.NaN;
    if (lower.endsWith('inf') || lower.endsWith('infinity')) {
        return lower.startsWith('-') ? -Infinity : Infinity;
    }
    return Number(text);
}
