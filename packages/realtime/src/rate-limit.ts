/**
 * Inbound rate limit: a token bucket per socket over every frame the client sends. Internal.
 *
 * A bucket holds up to `burst` tokens and refills at `perSecond`; each frame takes one. The
 * refill is computed from the time of arrival, so the limit costs a multiplication and a
 * comparison per frame and no timer at all, and a socket's state is two numbers. A socket
 * that finds its bucket empty is closed (WS-13): dropping its frames one by one would keep
 * paying to read a flood, and a client that floods has a bug or bad intent either way.
 *
 * @module
 */

/** The state of one bucket, kept on the socket's record. */
export interface TokenBucket {
  /** Tokens left after the last frame (fractional between frames). */
  tokens: number;
  /** When `tokens` was last brought up to date, `performance.now()` ms. */
  refilledAt: number;
}

/** A rate and a burst, as the bucket uses them. */
export interface MessageRate {
  /** Tokens added per millisecond (`maxMessagesPerSecond / 1000`). */
  readonly perMs: number;
  /** Bucket size: frames a quiet socket may send back to back. */
  readonly burst: number;
}

/** The rate of `perSecond` frames with bursts of `burst`. */
export function createMessageRate(perSecond: number, burst: number): MessageRate {
  return Object.freeze({ perMs: perSecond / 1000, burst });
}

/**
 * Takes one token for a frame that arrived at `now`; `false` when the bucket is empty, and
 * then the frame must not be processed.
 */
export function takeToken(bucket: TokenBucket, rate: MessageRate, now: number): boolean {
  // Refill for the time since the last frame, never past the burst: a socket that was
  // quiet for an hour still gets only `burst` frames at once.
  const tokens = Math.min(rate.burst, bucket.tokens + (now - bucket.refilledAt) * rate.perMs);
  bucket.refilledAt = now;
  if (tokens < 1) {
    bucket.tokens = tokens;
    return false;
  }
  bucket.tokens = tokens - 1;
  return true;
}
