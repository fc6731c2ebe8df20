import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import { linesPerTurn } from './web/fast-paths.ts';

export interface LoggerOptions {
  /** Human-readable lines through pino-pretty (a development dependency); JSON when false. */
  pretty?: boolean;
  /** Where lines go; default stdout. */
  destination?: DestinationStream;
  /** How pino-pretty is found; tests replace it to play a production install without it. */
  loadPretty?: () => PrettyFactory;
}

type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

const require = createRequire(import.meta.url);

interface RequestLine {
  msg?: string;
  reqId?: string;
  req?: { method?: string; host?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
}

/** The message of a pretty line: the request id first, and a request's outcome in words. */
export function prettyMessage(log: RequestLine): string {
  const { msg = '', reqId, req, res, responseTime } = log;
  const outcome =
    req && res
      ? ` ${req.method} ${req.host ?? ''}${req.url} -> ${res.statusCode} (${responseTime} ms)`
      : '';
  return `${reqId ? `${reqId} ` : ''}${msg}${outcome}`;
}

/**
 * Logs on stdout: JSON, or pretty lines for a person in development. Redaction runs before either
 * format, so cookies, credentials and session ids never reach a line in both.
 */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const { pretty = false, loadPretty = () => require('pino-pretty') as PrettyFactory } = options;
  let destination = options.destination;
  let build: PrettyFactory | undefined;
  if (pretty) {
    try {
      build = loadPretty();
    } catch (err) {
      // A production install (npm ci --omit=dev) has no pino-pretty: JSON then, and say so.
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  if (build) {
    destination = build({
      destination: destination ?? 1,
      // Synchronous, like pino's own stdout: the last lines before an exit are not lost.
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      // One line per entry; a request's line reads "<id> GET host/path -> 200 (3 ms)".
      singleLine: true,
      ignore: 'pid,hostname,reqId,req,res,responseTime',
      messageFormat: prettyMessage,
    });
  }
  const settings = {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        'req.body.password',
        'password',
        '*.password',
        'headers.cookie',
        'headers.authorization',
        // A body-parser error carries the raw body it could not parse (a password, say).
        'err.body',
      ],
      censor: '[redacted]',
    },
  };
  // JSON to stdout, synchronously (pino's asynchronous stdout can write a fatal line before lines
  // still in flight), the lines of one turn of the event loop in one write (web/fast-paths.ts).
  destination ??= linesPerTurn(pino.destination({ dest: 1, sync: true }));
  const logger = pino(settings, destination);
  if (pretty && !build) logger.warn('pino-pretty is not installed: logging JSON');
  return logger;
}
