/**
 * How an edge finds the origin in a swarm: by the origin service's name, which Docker's DNS
 * answers with the task's address while there is a task and with no record while there is none.
 * A DNS server of the test's own (dnsServer.ts) plays Docker's; nginx keeps each answer 10 s.
 */
import { fixture, sha256 } from "../support/data";
import { startDnsServer, type DnsServer } from "../support/dnsServer";
import { startEdgeStack, type EdgeStack } from "../support/edgeStack";
import { request, type HttpResponse } from "../support/http";
import * as fs from "node:fs";
import * as path from "node:path";
import { EDGE } from "./edgeStacks";

const VIDEO = fixture("sample.mp4");
const ORIGIN_NAME = "origin.video-server.test";
/** nginx's resolver keeps an answer for `valid=10s`, in each worker. */
const RESOLVER_VALID_MS = 10_000;

describe("an edge that finds the origin by name", () => {
  let dns: DnsServer;
  let stack: EdgeStack;
  const edge = (url: string) => request(stack.edge, url, { timeoutMs: 10_000 });
  const status = (res: HttpResponse) => [res.status, res.headers["x-cache-status"]];

  /** Asks every 500 ms until `done`; every answer on the way must pass `each`. */
  async function poll(url: string, done: (r: HttpResponse) => boolean, each: (r: HttpResponse) => void) {
    const deadline = Date.now() + RESOLVER_VALID_MS + 5_000;
    for (;;) {
      const res = await edge(url);
      each(res);
      if (done(res)) return res;
      if (Date.now() > deadline) throw new Error(`${url}: still ${status(res).join(" ")}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  beforeAll(async () => {
    dns = await startDnsServer(ORIGIN_NAME);
    stack = await startEdgeStack("services-edge-dns", EDGE, {
      originByName: { host: ORIGIN_NAME, resolver: dns.address },
    });
    for (const name of ["clip.mp4", "other.mp4"])
      fs.writeFileSync(path.join(stack.dirs.media, "videos", name), VIDEO, { mode: 0o644 });
  });
  afterAll(async () => {
    await stack?.stop();
    await dns?.stop();
  });

  it("starts while the origin's name has no record, and answers 502 until it has one", async () => {
    const res = await edge("/videos/clip.mp4");
    expect(status(res)).toEqual([502, "MISS"]);
    expect(dns.queries()).toBeGreaterThan(0);
    dns.answer = "127.0.0.1";
    const served = await poll(
      "/videos/clip.mp4",
      (r) => r.status === 200,
      (r) => expect([200, 502]).toContain(r.status),
    );
    expect(sha256(served.body)).toBe(sha256(VIDEO));
    expect(status(await edge("/videos/clip.mp4"))).toEqual([200, "HIT"]);
  });

  it("serves its stale copy once the name has no record again, and 502 at once for the rest", async () => {
    dns.answer = undefined;
    // Each worker keeps its own answer for 10 s; by then the copy (3 s) has expired too.
    await new Promise((r) => setTimeout(r, RESOLVER_VALID_MS + 1_000));
    for (let i = 0; i < 4; i++) {
      const stale = await edge("/videos/clip.mp4");
      expect([...status(stale), sha256(stale.body)]).toEqual([200, "STALE", sha256(VIDEO)]);
      const uncached = await edge("/videos/other.mp4");
      expect(uncached.status).toBe(502);
      expect(uncached.totalMs).toBeLessThan(2_000);
    }
  });
});
