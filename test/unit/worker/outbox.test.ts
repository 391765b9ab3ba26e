import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { makeEvent } from "../../../worker/src/events";
import { Metrics } from "../../../worker/src/metrics";
import { Outbox } from "../../../worker/src/outbox";

function listen(port = 0): Promise<{ server: http.Server; port: number; bodies: string[] }> {
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      bodies.push(body);
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () =>
      resolve({ server, port: (server.address() as AddressInfo).port, bodies }),
    ),
  );
}
const close = (s: http.Server) => new Promise((r) => s.close(r));

describe("Outbox", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "worker-outbox-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const settings = (url: string, retrySeconds = 60) => ({
    stateDir: dir,
    webhookRetrySeconds: retrySeconds,
    webhooks: [{ url, secret: "s", events: ["file.published" as const] }],
  });

  it("keeps a delivery whose receiver is down across a restart, and delivers it once the receiver is back", async () => {
    const { server, port } = await listen();
    await close(server); // nothing listens there now: connection refused
    const url = `http://127.0.0.1:${port}/hook`;
    const metrics = new Metrics();
    const outbox = new Outbox(settings(url), metrics, () => undefined);
    const event = makeEvent("file.published", "/videos/a.mp4", { size: 1 });
    outbox.add(event);
    await outbox.tick();
    expect(metrics.deliveries).toEqual({ delivered: 0, failed: 0, retried: 1 });

    const back = await listen(port);
    try {
      const restarted = new Outbox(settings(url), metrics, () => undefined);
      expect(restarted.size).toBe(1);
      await restarted.tick(Date.now() + 2000);
      expect(back.bodies.map((b) => JSON.parse(b).id)).toEqual([event.id]);
      expect(restarted.size).toBe(0);
      expect(metrics.deliveries.delivered).toBe(1);
    } finally {
      await close(back.server);
    }
  });

  it("queues an event only for the webhooks subscribed to it", () => {
    const outbox = new Outbox(settings("http://127.0.0.1:9/hook"), new Metrics(), () => undefined);
    outbox.add(makeEvent("file.deleted", "/videos/a.mp4", {}));
    expect(outbox.size).toBe(0);
  });

  it("gives up, counted as failed, once a retry would fall after webhookRetrySeconds", async () => {
    const { server, port } = await listen();
    await close(server);
    const metrics = new Metrics();
    const outbox = new Outbox(settings(`http://127.0.0.1:${port}/hook`, 0), metrics, () => undefined);
    outbox.add(makeEvent("file.published", "/videos/a.mp4", {}));
    await outbox.tick();
    expect(metrics.deliveries).toEqual({ delivered: 0, failed: 1, retried: 0 });
    expect(outbox.size).toBe(0);
  });

  it("drops saved deliveries of a webhook that is no longer in the settings", async () => {
    const first = new Outbox(settings("http://127.0.0.1:9/old"), new Metrics(), () => undefined);
    first.add(makeEvent("file.published", "/videos/a.mp4", {}));
    expect(new Outbox(settings("http://127.0.0.1:9/new"), new Metrics(), () => undefined).size).toBe(0);
  });
});
