import type { DestinationStream } from 'pino';
import { pino } from 'pino';

/** Where a batch goes: one write of many lines (a sonic-boom, from pino.destination). */
export interface LineSink {
  write(text: string): unknown;
}

export interface BatchOptions {
  /** The longest a line waits for others before its batch is written. */
  maxDelayMs: number;
  /** A batch this long (in characters) is written at once. */
  maxChars: number;
}

/** How JSON lines to stdout are batched: at most 10 ms late, at most 64 KiB at a time. */
export const STDOUT_BATCHES: BatchOptions = { maxDelayMs: 10, maxChars: 64 * 1024 };

/** Batches with lines still to write, so an exit writes them first. */
const unwritten = new Set<() => void>();
let exitHooked = false;

/**
 * pino's destination for JSON lines: lines go out together, in one write, once the first of them
 * has waited `maxDelayMs` or the batch reaches `maxChars`. A write of its own per line cost a
 * system call each, the largest single item in the benchmark's profile (docs/benchmark.md), and
 * so did a write per turn of the event loop; the asynchronous sonic-boom batches too, but
 * re-measures its growing buffer for every line it adds. Lines still waiting when the process
 * exits (a fatal line before `process.exit(1)`, say) are written synchronously by the exit; only
 * a process killed outright (SIGKILL, out of memory) loses its last `maxDelayMs` of lines.
 */
export function batchedLines(sink: LineSink, options: BatchOptions): DestinationStream {
  const { maxDelayMs, maxChars } = options;
  let lines: string[] = [];
  let chars = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    unwritten.delete(flush);
    if (lines.length === 0) return;
    const text = lines.length === 1 ? lines[0]! : lines.join('');
    lines = [];
    chars = 0;
    sink.write(text);
  };
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const write of unwritten) write();
    });
  }
  return {
    write(line: string) {
      lines.push(line);
      chars += line.length;
      if (chars >= maxChars) return flush();
      if (timer !== undefined) return undefined;
      unwritten.add(flush);
      // Unref'd: waiting lines never keep the process alive; the exit writes them.
      timer = setTimeout(flush, maxDelayMs).unref();
      return undefined;
    },
  };
}

/** JSON lines to stdout, batched; each batch one synchronous write (sonic-boom retries when a pipe is full). */
export const stdoutLines = (): DestinationStream =>
  batchedLines(pino.destination({ dest: 1, sync: true }), STDOUT_BATCHES);
