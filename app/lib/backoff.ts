// Exponential backoff shared by the mail outbox and the vendor API client: the wait before
// retry n (1-based) is `base × 2^(n−1)`, capped.
export function backoffMs(retry: number, baseMs: number, maxMs = Number.POSITIVE_INFINITY): number {
  if (!Number.isInteger(retry) || retry < 1)
    throw new RangeError(`retry must be a positive integer, got ${retry}`);
  return Math.min(maxMs, baseMs * 2 ** (retry - 1));
}
