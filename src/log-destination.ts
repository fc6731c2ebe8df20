import type { DestinationStream } from 'pino';
import { pino } from 'pino';

/** Where a batch goes: one write of many lines (a sonic-boom, from pino.destination). */
export interface LineSink {
  write(text: string): unknown;
}

/** Batches with lines still to write, so an exit writes them first. */
const unwritten = new Set<() => void>();
let exitHooked = false;

/**
 * pino's destination for JSON lines: the lines logged in one turn of the event loop go out
 * together, in one write, as the turn ends (setImmediate). A write of its own per line cost a
 * system call each, the largest single item in the benchmark's profile (docs/benchmark.md); the
 * asynchronous sonic-boom batches too, but re-measures its growing buffer for every line it adds.
 * Nothing waits longer than the rest of the turn, and lines still waiting when the process exits
 * (a fatal line before `process.exit(1)`, say) are written synchronously by the exit.
 */
export function linesPerTurn(sink: LineSink): DestinationStream {
  let lines: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    unwritten.delete(flush);
    if (lines.length === 0) return;
    const text = lines.length === 1 ? lines[0]! : lines.join('');
    lines = [];
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
      if (scheduled) return;
      scheduled = true;
      unwritten.add(flush);
      setImmediate(flush);
    },
  };
}

/**
 * JSON lines to stdout: batched per turn, each batch one synchronous write (sonic-boom retries
 * when a pipe is full), so a batch is on its way before the next turn starts.
 */
export const stdoutLines = (): DestinationStream =>
  linesPerTurn(pino.destination({ dest: 1, sync: true }));
