import type { Request, Response } from 'express';
import createError from 'http-errors';
import { ClientGoneError, HashQueueBusyError, type HashQueue } from '../auth/hash-queue.ts';

/**
 * Password hashes of the account routes (checking the current password, hashing a new one) through
 * a fair, bounded queue, as sign-in's are: a full queue is a 503 with Retry-After, and a client
 * that hung up before its turn costs no hash (answered 499, which nobody reads).
 */
export function accountHashing(queue: HashQueue) {
  return async <T>(req: Request, res: Response, hash: () => Promise<T>): Promise<T> => {
    const clientGone = new AbortController();
    const onClose = () => clientGone.abort();
    res.once('close', onClose);
    try {
      return await queue.run(req.tenant.id, clientGone.signal, hash);
    } catch (err) {
      if (err instanceof HashQueueBusyError) {
        throw createError(503, err.message, {
          expose: true,
          headers: { 'Retry-After': String(err.retryAfterSeconds) },
        });
      }
      if (err instanceof ClientGoneError) throw createError(499, err.message);
      throw err;
    } finally {
      res.off('close', onClose);
    }
  };
}

export type AccountHashing = ReturnType<typeof accountHashing>;
