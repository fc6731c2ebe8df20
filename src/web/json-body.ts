import express, { type RequestHandler } from 'express';
import createError, { isHttpError } from 'http-errors';

/** `application/json` and its structured-syntax relatives (`application/merge-patch+json`…). */
const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * A body that is not JSON is refused (415), not left unparsed: a form or text/plain post, which a
 * page on another site can send without asking, never reaches an API route. Never compressed (415),
 * so no zlib work for whoever sends a body.
 */
export function jsonBody(limit: string): RequestHandler {
  const parse = express.json({ limit, strict: true, type: JSON_TYPES, inflate: false });
  return (req, res, next) => {
    // No body at all (most GETs): nothing to parse, as body-parser itself would decide.
    const { 'content-length': length, 'transfer-encoding': encoding } = req.headers;
    if (length === undefined && encoding === undefined) return next();
    if (hasBody(req.headers) && !req.is(JSON_TYPES)) {
      return next(createError(415, 'Send the body as JSON (Content-Type: application/json).'));
    }
    parse(req, res, (err?: unknown) => next(err === undefined ? undefined : clearer(err, limit)));
  };
}

/** A body of zero bytes is no body, as a DELETE from many clients carries `Content-Length: 0`. */
function hasBody(headers: { 'transfer-encoding'?: string; 'content-length'?: string }): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** body-parser's own messages echo the parser's view of the body; ours say what to send. */
function clearer(err: unknown, limit: string): unknown {
  if (!isHttpError(err)) return err;
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.parse.failed') {
    return createError(400, 'The body is not valid JSON: send an object or an array.');
  }
  if (type === 'entity.too.large') return createError(413, `The body is larger than ${limit}.`);
  return err;
}
