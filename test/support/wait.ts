/** Polling for a condition the test cannot be told about (a file growing, a process gone). */

/** Resolves once `check` holds, asking every intervalMs; fails naming `what` after timeoutMs. */
export async function waitFor(
  what: string,
  check: () => boolean,
  timeoutMs = 10_000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Reads `get` every intervalMs until `done` holds for its value or timeoutMs has passed, and
 * returns the last value either way: the caller's assertion then shows what was seen.
 */
export async function pollUntil<T>(
  get: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
