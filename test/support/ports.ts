/** Free loopback ports for servers the tests start (services tier) or publish (docker tier). */
import * as net from "node:net";

export const HOST = "127.0.0.1";

export interface FreePorts {
  readonly ftp: number;
  readonly http: number;
  /** nginx's status server (the services tier runs it on the host). */
  readonly status: number;
  /** nginx's HTTPS port, when the stack turns http.tls on. */
  readonly https: number;
  /** The media worker's metrics and health port (the services tier runs it on the host). */
  readonly metrics: number;
  /** The passive range, first and last port. */
  readonly passiveMin: number;
  readonly passiveMax: number;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/**
 * A block of free ports: control, http, status, https, metrics, then `passiveCount` passive ports, within
 * 20000–29999: below Linux's ephemeral range (32768–60999), so outgoing connections do not take
 * passive ports, and below 30000–30019, the default passive range a running stack may publish.
 */
export async function findFreePorts(passiveCount = 10, attempts = 50): Promise<FreePorts> {
  const size = 5 + passiveCount;
  for (let i = 0; i < attempts; i++) {
    const base = 20000 + Math.floor(Math.random() * (10000 - size));
    const ports = Array.from({ length: size }, (_, k) => base + k);
    let free = true;
    for (const p of ports) if (!(free = await isFree(p))) break;
    if (free) {
      return {
        ftp: base,
        http: base + 1,
        status: base + 2,
        https: base + 3,
        metrics: base + 4,
        passiveMin: base + 5,
        passiveMax: base + size - 1,
      };
    }
  }
  throw new Error(`no block of ${size} free ports on ${HOST} found in ${attempts} attempts`);
}
