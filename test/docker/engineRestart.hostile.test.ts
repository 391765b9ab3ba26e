/**
 * The Docker engine stops and starts again, as a host reboot or a Docker upgrade does: both
 * containers come back through their restart policy and are healthy, the media uploaded before
 * is served byte for byte, and a new upload is served at once.
 */
import { fixture, sha256 } from "../support/data";
import { upload, withFtp, type Endpoint } from "../support/ftp";
import { request } from "../support/http";
import { pollUntil } from "../support/wait";
import { loopbackConfig, startDockerStack, type DockerStack } from "./stack";

const PASSWORD = "uploader-password-1";
const MP4 = fixture("sample.mp4");
const JPG = fixture("sample.jpg");

let stack: DockerStack;
let endpoint: Endpoint;
const before: Record<string, string> = {};
let restartedAt = 0;

interface Back {
  readonly health?: string;
  readonly restartPolicy?: string;
  readonly started: "after the restart" | "before";
}

/** Both containers running and healthy again, at most 120 s after the engine answers. */
async function healthyAgain(): Promise<Record<string, Back>> {
  const states = await pollUntil(
    () =>
      Promise.all(
        (["ftp", "web"] as const).map(async (role) => {
          const info = await stack.container(role).inspect();
          const back: Back = {
            health: info.State.Health?.Status,
            restartPolicy: info.HostConfig.RestartPolicy?.Name,
            started: Date.parse(info.State.StartedAt) >= restartedAt ? "after the restart" : "before",
          };
          return [role, back] as const;
        }),
      ),
    (all) => all.every(([, s]) => s.health === "healthy" && s.started !== "before"),
    120_000,
    500,
  );
  return Object.fromEntries(states);
}

beforeAll(async () => {
  stack = await startDockerStack("restart", 4);
  const { ports } = stack;
  endpoint = { ftpPort: ports.ftp, httpPort: ports.http, passwords: { uploader: PASSWORD } };
  await stack.realize(
    loopbackConfig(stack, {
      ftp: { users: [{ name: "uploader", password: PASSWORD }] },
      http: {
        gallery: { enabled: false },
        locations: [
          { path: "/videos/", directory: "videos" },
          { path: "/images/", directory: "images" },
        ],
      },
    }),
  );
  await withFtp(endpoint, "uploader", async (c) => {
    await upload(c, MP4, "videos/before.mp4");
    await upload(c, JPG, "images/before.jpg");
  });
  for (const p of ["/videos/before.mp4", "/images/before.jpg"])
    before[p] = sha256((await request(endpoint, p)).body);
  restartedAt = Date.now();
  await stack.restartEngine();
}, 900_000);

afterAll(async () => {
  await stack?.stop();
}, 120_000);

describe("after the Docker engine restarts", () => {
  it("brings both containers back healthy through their restart policy", async () => {
    expect(await healthyAgain()).toEqual({
      ftp: { health: "healthy", restartPolicy: "unless-stopped", started: "after the restart" },
      web: { health: "healthy", restartPolicy: "unless-stopped", started: "after the restart" },
    });
  }, 150_000);

  it("serves the media uploaded before, byte for byte", async () => {
    expect(before).toEqual({ "/videos/before.mp4": sha256(MP4), "/images/before.jpg": sha256(JPG) });
    for (const [p, hash] of Object.entries(before)) {
      const res = await request(endpoint, p);
      expect([p, res.status, sha256(res.body)]).toEqual([p, 200, hash]);
    }
  });

  it("takes a new upload and serves it at once", async () => {
    await withFtp(endpoint, "uploader", (c) => upload(c, MP4, "videos/after.mp4"));
    const res = await request(endpoint, "/videos/after.mp4");
    expect([res.status, sha256(res.body)]).toEqual([200, sha256(MP4)]);
  });
});
