/**
 * Load on the real servers: 20 FTP uploads of 10–100 MB at once while 200 HTTP downloads run.
 * Nothing fails, every byte arrives (sha256 of generated data), and both servers still answer.
 */
import type { Client } from "basic-ftp";
import { MB, payloadSha256, payloadStream, type Payload } from "../support/data";
import { ftpConnect, upload } from "../support/ftp";
import { request } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";

/** Idle limit of one FTP or HTTP operation; generous, the test runs many at once on few CPUs. */
const TRANSFER_TIMEOUT_MS = 60_000;

interface Download {
  readonly status: number;
  readonly sha256: string;
  readonly bytes: number;
}

/** A GET on a connection of its own, the body hashed as it arrives. */
async function download(urlPath: string): Promise<Download> {
  const { status, sha256, bytes } = await request(stack, urlPath, {
    keepBody: false,
    timeoutMs: TRANSFER_TIMEOUT_MS,
  });
  return { status, sha256, bytes };
}
const login = (): Promise<Client> =>
  ftpConnect(stack, "loader", undefined, { timeoutMs: TRANSFER_TIMEOUT_MS });

const UPLOADS = 20;
const DOWNLOADS = 200;
/** 10 MB to 100 MB, evenly spread: 1,100 MB in all. */
const UPLOAD_MB = Array.from({ length: UPLOADS }, (_, i) => 10 + Math.round((i * 90) / (UPLOADS - 1)));
/** The files the downloads fetch, uploaded before the load starts: 1–3 MB each. */
const SERVED_MB = [1, 2, 3, 1, 2, 3, 1, 2, 3, 2];

const STACK = {
  ftp: {
    bindAddress: "127.0.0.1",
    // vsftpd refuses sessions past max_per_ip (default 10) from one address with 421; every
    // client of this test is 127.0.0.1, so the stack allows 25, all that 50 passive ports carry.
    maxPerIp: 25,
    maxClients: 25,
    users: [{ name: "loader", password: "loader-password" }],
  },
  http: {
    bindAddress: "127.0.0.1",
    gallery: { enabled: false },
    locations: [{ path: "/videos/", directory: "videos" }],
  },
};

interface Timed<T> {
  readonly value?: T;
  readonly error?: string;
  readonly endedAt: number;
}

const timed = <T>(work: Promise<T>): Promise<Timed<T>> =>
  work.then(
    (value) => ({ value, endedAt: Date.now() }),
    (e: unknown) => ({ error: String(e), endedAt: Date.now() }),
  );

let stack: RunningStack;
beforeAll(async () => {
  // Two passive ports per session (ftp.maxClients may be at most half the range).
  stack = await startStack("hostile-load", STACK, { passivePorts: 50 });
}, 60_000);
afterAll(() => stack?.stop());

describe("20 concurrent FTP uploads while 200 HTTP downloads run", () => {
  const uploads: Payload[] = UPLOAD_MB.map((mb, i) => ({ seed: `upload-${i}`, size: mb * MB }));
  const served: Payload[] = SERVED_MB.map((mb, i) => ({ seed: `served-${i}`, size: mb * MB }));
  const expected = new Map<string, string>();
  let uploadResults: Timed<number>[] = [];
  let downloadResults: Timed<Download>[] = [];
  let started = 0;

  beforeAll(async () => {
    for (const p of [...uploads, ...served]) expected.set(p.seed, await payloadSha256(p));
    const client = await login();
    try {
      for (const p of served) await upload(client, payloadStream(p), `/videos/${p.seed}.bin`);
    } finally {
      client.close();
    }
    // Log every uploader in first, then start all transfers at the same moment.
    const clients = await Promise.all(uploads.map(() => login()));
    try {
      started = Date.now();
      const up = uploads.map((p, i) => timed(upload(clients[i], payloadStream(p), `/videos/${p.seed}.bin`)));
      const down = Array.from({ length: DOWNLOADS }, (_, i) =>
        timed(download(`/videos/${served[i % served.length].seed}.bin`)),
      );
      [uploadResults, downloadResults] = await Promise.all([Promise.all(up), Promise.all(down)]);
    } finally {
      for (const c of clients) c.close();
    }
    const seconds = (t: number) => ((t - started) / 1000).toFixed(1);
    const ends = (rs: Timed<unknown>[]) => rs.map((r) => r.endedAt).sort((a, b) => a - b);
    const [u, d] = [ends(uploadResults), ends(downloadResults)];
    process.stdout.write(
      `load: ${UPLOADS} uploads (${UPLOAD_MB.reduce((a, b) => a + b)} MB) done ${seconds(u[0])}–${seconds(u[u.length - 1])} s, ` +
        `${DOWNLOADS} downloads (${(SERVED_MB.reduce((a, b) => a + b) * DOWNLOADS) / served.length} MB) ` +
        `done ${seconds(d[0])}–${seconds(d[d.length - 1])} s\n`,
    );
  }, 240_000);

  it("completes every upload with 226 and every download with 200", () => {
    expect(uploadResults.map((r) => r.error ?? r.value)).toEqual(uploads.map(() => 226));
    expect(downloadResults.map((r) => r.error ?? r.value?.status)).toEqual(downloadResults.map(() => 200));
  });

  it("delivers every downloaded byte: each sha256 matches the file uploaded before the load", () => {
    const wrong = downloadResults.filter(
      (r, i) => r.value?.sha256 !== expected.get(served[i % served.length].seed),
    );
    expect(wrong.length).toBe(0);
  });

  it("stores every upload intact: each sha256 over HTTP matches the generated data", async () => {
    const got = [];
    for (const p of uploads) got.push({ seed: p.seed, ...(await download(`/videos/${p.seed}.bin`)) });
    expect(got).toEqual(
      uploads.map((p) => ({ seed: p.seed, status: 200, bytes: p.size, sha256: expected.get(p.seed) })),
    );
  }, 60_000);

  it("ran uploads and downloads at the same time, not one after the other", () => {
    const ends = (rs: Timed<unknown>[]) => rs.map((r) => r.endedAt);
    expect(Math.min(...ends(downloadResults))).toBeLessThan(Math.max(...ends(uploadResults)));
    expect(Math.min(...ends(uploadResults))).toBeLessThan(Math.max(...ends(downloadResults)));
  });

  it("leaves both servers answering: a new login uploads, nginx serves it and its health check answers", async () => {
    const client = await login();
    try {
      expect(
        await upload(client, payloadStream({ seed: "after-load", size: MB }), "/videos/after-load.bin"),
      ).toBe(226);
    } finally {
      client.close();
    }
    expect((await download("/videos/after-load.bin")).sha256).toBe(
      await payloadSha256({ seed: "after-load", size: MB }),
    );
    expect((await request({ httpPort: stack.ports.status }, "/healthz")).status).toBe(204);
  });
});
