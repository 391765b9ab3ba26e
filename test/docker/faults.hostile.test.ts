/**
 * Faults on the program's own containers, made on a real Docker engine by the realizer: a server
 * process killed inside its container comes back through the restart policy, replacing both
 * containers loses no file, and no secret shows in a container's logs or in a file others may
 * read. (That none is in a container's env, labels or command is proven on the declared inputs,
 * under mocks: the unit tier's secrets.hostile.test.ts.) Every connection goes to ports
 * published on 127.0.0.1.
 */
import * as path from "node:path";
import { FTP_CONTAINER_LAYOUT } from "../../spec";
import { signUrl } from "../../nginx/secureLink";
import { MB, payloadSha256, payloadStream, type Payload } from "../support/data";
import { ftpConnect, upload, type Endpoint } from "../support/ftp";
import { ControlConnection } from "../support/ftpControl";
import { request } from "../support/http";
import type { StackConfig } from "../support/project";
import { pemBodyLines, testCertificate } from "../support/tls";
import { loopbackConfig, startDockerStack, type DockerStack } from "./stack";
import { exec, killServerProcess, restartedHealthy } from "./containers";

const SECRETS = {
  uploader: "uploader-Docker-Pa55-r2",
  editor: "editor-Docker-Pa55-t8",
  viewer: "viewer-Docker-Pa55-w5",
  secureLink: "hostile-Docker-Secure-Link-z1",
};

/** Uploaded before any fault, nested folders included; their sha256 must survive everything. */
const FILES: readonly { readonly path: string; readonly payload: Payload }[] = [
  ...[64 * 1024, 512 * 1024, 2 * MB, 4 * MB].map((size, i) => ({
    path: `videos/clip-${i}.bin`,
    payload: { seed: `docker-clip-${i}`, size },
  })),
  ...[1, 2, 3].map((i) => ({
    path: `videos/season-1/episode-${i}.bin`,
    payload: { seed: `docker-episode-${i}`, size: MB + i },
  })),
  ...[1, 2].map((i) => ({
    path: `images/still-${i}.bin`,
    payload: { seed: `docker-still-${i}`, size: 100_000 * i },
  })),
];

let stack: DockerStack;
let endpoint: Endpoint;
let config: StackConfig;
const expected = new Map<string, string>();
/** Files uploaded after the first ones (each fault test adds one): checked from then on. */
const later: { path: string; payload: Payload }[] = [];

const containerOf = (role: "ftp" | "web") => stack.container(role);

/** Every file of FILES (and `extra`) over HTTP: status and sha256. */
async function served(
  extra: readonly { path: string; payload: Payload }[] = [],
): Promise<{ path: string; status: number; sha256: string }[]> {
  const out = [];
  for (const f of [...FILES, ...extra]) {
    const got = await request(endpoint, `/${f.path}`, { keepBody: false });
    out.push({ path: f.path, status: got.status, sha256: got.sha256 });
  }
  return out;
}
const intact = (extra: readonly { path: string; payload: Payload }[] = []) =>
  [...FILES, ...extra].map((f) => ({ path: f.path, status: 200, sha256: expected.get(f.payload.seed) }));

async function uploadAll(files: readonly { path: string; payload: Payload }[]): Promise<void> {
  const client = await ftpConnect(endpoint, "uploader");
  try {
    for (const f of files) {
      await client.ensureDir(`/${path.posix.dirname(f.path)}`);
      await upload(client, payloadStream(f.payload), `/${f.path}`);
      expected.set(f.payload.seed, await payloadSha256(f.payload));
    }
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  stack = await startDockerStack("hostile", 10);
  const { ports } = stack;
  const tls = testCertificate();
  endpoint = {
    ftpPort: ports.ftp,
    httpPort: ports.http,
    passwords: { uploader: SECRETS.uploader, editor: SECRETS.editor },
    ftpsCertificate: tls.certificate,
  };
  config = loopbackConfig(stack, {
    ftp: {
      // Bad logins are part of the audit: answer them at once.
      delayFailedLogin: 0,
      tls: "enabled",
      tlsCertificate: tls.certificate,
      tlsKey: tls.key,
      users: [
        { name: "uploader", password: SECRETS.uploader },
        { name: "editor", password: SECRETS.editor },
      ],
    },
    http: {
      users: [{ name: "viewer", password: SECRETS.viewer }],
      secureLinkSecret: SECRETS.secureLink,
      locations: [
        { path: "/videos/", directory: "videos", autoindex: true },
        { path: "/images/", directory: "images" },
        { path: "/members/", directory: "members", basicAuth: true },
        { path: "/signed/", directory: "signed", secureLink: true },
      ],
    },
  });
  await stack.realize(config);
  await uploadAll(FILES);
}, 900_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

describe("the declared containers under faults", () => {
  it("serves every file uploaded before the faults, byte for byte", async () => {
    expect(await served()).toEqual(intact());
  });

  it("brings FTP back through the restart policy after vsftpd is killed in its container, losing nothing", async () => {
    await killServerProcess(stack.engine.docker, containerOf("ftp"), "vsftpd");
    const info = await restartedHealthy(containerOf("ftp"), 1);
    expect(info.RestartCount).toBe(1);
    const after = { path: "videos/after-ftp-kill.bin", payload: { seed: "docker-after-ftp-kill", size: MB } };
    await uploadAll([after]);
    later.push(after);
    expect(await served(later)).toEqual(intact(later));
  }, 120_000);

  it("brings HTTP back through the restart policy after nginx's master is killed in its container", async () => {
    await killServerProcess(stack.engine.docker, containerOf("web"), "nginx");
    const info = await restartedHealthy(containerOf("web"), 1);
    expect(info.RestartCount).toBe(1);
    expect(await served(later)).toEqual(intact(later));
  }, 120_000);

  it("keeps every file, byte for byte, when both containers are replaced", async () => {
    const before = {
      path: "videos/before-replace.bin",
      payload: { seed: "docker-before-replace", size: 3 * MB },
    };
    await uploadAll([before]);
    later.push(before);
    await stack.realizer.removeContainers();
    expect(await request(endpoint, "/videos/clip-0.bin").catch((e: unknown) => String(e))).toMatch(
      /ECONNREFUSED|ECONNRESET|socket hang up/,
    );
    await stack.realize(config);
    expect(await served(later)).toEqual(intact(later));
    // Over FTP too: the new vsftpd reads what the old one wrote.
    const client = await ftpConnect(endpoint, "editor");
    try {
      expect((await client.list("/videos/season-1")).map((f) => f.name).sort()).toEqual([
        "episode-1.bin",
        "episode-2.bin",
        "episode-3.bin",
      ]);
    } finally {
      client.close();
    }
  }, 300_000);
});

describe("secrets in the real containers", () => {
  const secrets = [...Object.values(SECRETS), ...pemBodyLines(testCertificate().key)];

  beforeAll(async () => {
    // Good logins (TLS and clear), bad ones with every secret, basic auth right and wrong, links.
    const good = await ftpConnect(endpoint, "uploader");
    await good.ensureDir("/members");
    await upload(good, payloadStream({ seed: "docker-member", size: 1000 }), "/members/m.bin");
    await good.ensureDir("/signed");
    await upload(good, payloadStream({ seed: "docker-signed", size: 1000 }), "/signed/s.bin");
    good.close();
    (await ControlConnection.login(endpoint.ftpPort, "editor", SECRETS.editor)).close();
    for (const user of ["uploader", "mallory"]) {
      for (const password of Object.values(SECRETS).filter((p) => p !== SECRETS.uploader)) {
        const session = await ControlConnection.open(endpoint.ftpPort);
        await session.send(`USER ${user}`);
        expect((await session.send(`PASS ${password}`)).code).toBe(530);
        session.close();
      }
    }
    expect((await request(endpoint, "/members/m.bin", { auth: `viewer:${SECRETS.viewer}` })).status).toBe(
      200,
    );
    expect((await request(endpoint, "/members/m.bin", { auth: `viewer:${SECRETS.uploader}` })).status).toBe(
      401,
    );
    const expires = Math.floor(Date.now() / 1000) + 600;
    expect((await request(endpoint, signUrl("/signed/s.bin", SECRETS.secureLink, expires))).status).toBe(200);
    expect(
      (await request(endpoint, signUrl("/signed/s.bin", `${SECRETS.secureLink}x`, expires))).status,
    ).toBe(403);
  }, 60_000);

  it("writes no secret to either container's log after good and bad logins", async () => {
    const logOf = async (role: "ftp" | "web") =>
      (await containerOf(role).logs({ stdout: true, stderr: true })).toString("latin1");
    const read = () => Promise.all([logOf("ftp"), logOf("web")]);
    // The entrypoint's `tail -F` forwards vsftpd's log file about once a second.
    let logs = await read();
    for (
      const deadline = Date.now() + 10_000;
      !/FAIL LOGIN/.test(logs[0]) && Date.now() < deadline;
      logs = await read()
    ) {
      await new Promise((r) => setTimeout(r, 250));
    }
    // The logs hold what was audited: vsftpd's logins, nginx's requests.
    expect(logs[0]).toMatch(/FAIL LOGIN: Client "[0-9.]+"/);
    expect(logs[1]).toContain("GET /members/m.bin");
    expect(secrets.filter((s) => logs.some((l) => l.includes(s)))).toEqual([]);
  });

  it("keeps the password file and the TLS key root-only inside the FTP container, the certificate readable", async () => {
    const { passwordFile, tlsKeyFile, tlsCertificateFile } = FTP_CONTAINER_LAYOUT;
    const files = [passwordFile, tlsKeyFile, tlsCertificateFile];
    const stat = await exec(stack.engine.docker, containerOf("ftp"), ["stat", "-c", "%a %U %n", ...files]);
    expect(stat.output.trim().split("\n")).toEqual([
      `600 root ${passwordFile}`,
      `600 root ${tlsKeyFile}`,
      `644 root ${tlsCertificateFile}`,
    ]);
  });
});
