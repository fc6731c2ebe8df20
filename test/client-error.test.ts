import { Duplex } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { answerClientError } from '../src/web/client-error.ts';

/** A socket that records what is written to it and whether it was ended or destroyed. */
function fakeSocket(inFlight?: { headersSent: boolean }) {
  const written: string[] = [];
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString('latin1'));
      done();
    },
  });
  if (inFlight) Object.assign(socket, { _httpMessage: inFlight });
  return { socket, written: () => written.join('') };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

const parseError = (code: string) => Object.assign(new Error(code), { code });

describe('answering a request Node refused before Express saw it', () => {
  it.each([
    ['HPE_INVALID_HEADER_TOKEN', '400 Bad Request'],
    ['HPE_HEADER_OVERFLOW', '431 Request Header Fields Too Large'],
    ['HPE_CHUNK_EXTENSIONS_OVERFLOW', '413 Payload Too Large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', '408 Request Timeout'],
  ])(
    'when the error is %s, then the answer is %s with a fresh X-Request-Id, logged',
    async (code, status) => {
      const { socket, written } = fakeSocket();
      const { logger, lines } = capturingLogger();
      answerClientError(parseError(code), socket, logger);
      await new Promise((resolve) => setImmediate(resolve));
      const exact = new RegExp(
        `^HTTP/1\\.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\nX-Request-Id: ([0-9a-f-]{36})\r\n\r\n$`,
      );
      const id = exact.exec(written())?.[1];
      expect(id).toBeDefined();
      expect(lines).toEqual([
        expect.objectContaining({ level: 20, reqId: id, code, status: status.slice(0, 3) }),
      ]);
      expect(socket.writableEnded).toBe(true);
    },
  );

  it('when the client already reset the connection, then nothing is written and the socket is destroyed', () => {
    const { socket, written } = fakeSocket();
    answerClientError(parseError('ECONNRESET'), socket, pino({ level: 'silent' }));
    expect(written()).toBe('');
    expect(socket.destroyed).toBe(true);
  });

  it('when a response on this connection has already begun, then nothing is written into it', () => {
    const { socket, written } = fakeSocket({ headersSent: true });
    answerClientError(parseError('HPE_INVALID_METHOD'), socket, pino({ level: 'silent' }));
    expect(written()).toBe('');
    expect(socket.destroyed).toBe(true);
  });

  it('when a response on this connection has not begun, then the refusal is written', async () => {
    const { socket, written } = fakeSocket({ headersSent: false });
    answerClientError(parseError('HPE_INVALID_METHOD'), socket, pino({ level: 'silent' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(written()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});
