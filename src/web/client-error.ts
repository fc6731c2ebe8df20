import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** Node's own answers to a request it cannot parse, by error code (lib/_http_server.js). */
const STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/**
 * Node's own answer to a request its parser refuses, plus the X-Request-Id every response carries,
 * logged so the answer can be found. Nothing the client sent is echoed.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, logger: Logger) {
  // As Node does: never write into a response already under way, nor to a closed socket.
  const inFlight = (socket as { _httpMessage?: { headersSent: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const id = randomUUID();
  const status = STATUS[err.code ?? ''] ?? '400 Bad Request';
  logger.debug(
    { reqId: id, code: err.code, status: status.slice(0, 3) },
    'request refused by the HTTP parser',
  );
  socket.end(
    `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\nX-Request-Id: ${id}\r\n\r\n`,
  );
}
