import { pino, type Logger } from 'pino';

/** JSON logs on stdout; cookies and credentials never reach them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        'req.body.password',
      ],
      censor: '[redacted]',
    },
  });
}
