/** Waiting in the worker's end-to-end tests, with what the worker logged when a wait times out. */

/** The longest a worker test (and its hooks) may take: ffmpeg runs and a webhook retry. */
export const SLOW = 20_000;

/** Resolves with `get()` once it is defined; fails after timeoutMs showing `log`. */
export async function until<T>(
  what: string,
  get: () => T | undefined,
  log: readonly string[],
  timeoutMs = SLOW - 2000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; the worker logged:\n${log.join("\n")}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
