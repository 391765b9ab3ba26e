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
