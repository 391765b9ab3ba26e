/**
 * A test host: a network namespace of the test's own, joined to this machine by a veth pair,
 * with addresses that reach the host end as a client on another machine would. Published
 * ports bound to the host end reach containers through Docker's NAT with the client's own
 * address (not docker-proxy's). Commands run inside with `ip netns exec`, each with a timeout.
 */
import { execFile } from "node:child_process";

export interface TestHost {
  /** The address on this machine's end of the pair: bind published ports here. */
  readonly gateway: string;
  /** The network namespace's name, for `ip netns exec <namespace> …` command lines. */
  readonly namespace: string;
  /** The host's addresses, first the one it sends from by default. */
  readonly addresses: readonly string[];
  /** Runs a command inside the namespace; resolves with its exit code and output. */
  run(
    command: readonly string[],
    timeoutMs?: number,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

function sh(
  command: readonly string[],
  timeoutMs = 10_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(command[0], command.slice(1), { timeout: timeoutMs }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr }),
    ),
  );
}

async function must(command: readonly string[]): Promise<void> {
  const r = await sh(command);
  if (r.code !== 0) throw new Error(`${command.join(" ")}: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** 10.<second>.<third>.0/24 from the 10.200.0.0–10.239.255.0 range, picked from the pid. */
export async function createTestHost(tag: string, addressCount = 2): Promise<TestHost> {
  const n = process.pid % 10_000;
  const prefix = `10.${200 + (n % 40)}.${Math.floor(n / 40) % 250}`;
  const name = `vs-${tag}-${process.pid}`.slice(0, 15);
  const outside = `vso${process.pid}`.slice(0, 15);
  const inside = `vsi${process.pid}`.slice(0, 15);
  const gateway = `${prefix}.1`;
  const addresses = Array.from({ length: addressCount }, (_, i) => `${prefix}.${i + 2}`);
  const remove = async () => {
    await sh(["ip", "netns", "del", name]);
    await sh(["ip", "link", "del", outside]);
  };
  try {
    await must(["ip", "netns", "add", name]);
    await must(["ip", "link", "add", outside, "type", "veth", "peer", "name", inside]);
    await must(["ip", "link", "set", inside, "netns", name]);
    await must(["ip", "addr", "add", `${gateway}/24`, "dev", outside]);
    await must(["ip", "link", "set", outside, "up"]);
    for (const a of addresses)
      await must(["ip", "netns", "exec", name, "ip", "addr", "add", `${a}/24`, "dev", inside]);
    await must(["ip", "netns", "exec", name, "ip", "link", "set", inside, "up"]);
    await must(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"]);
  } catch (e) {
    await remove();
    throw e;
  }
  return {
    gateway,
    namespace: name,
    addresses,
    run: (command, timeoutMs = 15_000) => sh(["ip", "netns", "exec", name, ...command], timeoutMs),
    remove,
  };
}
