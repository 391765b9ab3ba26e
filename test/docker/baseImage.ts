/**
 * The project's Dockerfiles start FROM debian:trixie-slim, and no registry is reachable to pull
 * it: scripts/base-image.sh makes it locally (debootstrap → docker import, tarball cached outside
 * the repository). This runs that script when the engine lacks the image.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import type Dockerode from "dockerode";
import { DOCKER_SOCKET } from "./engine";

export const BASE_IMAGE = "debian:trixie-slim";
const SCRIPT = path.resolve(__dirname, "../../scripts/base-image.sh");
/** A first debootstrap takes about 30 s here; a slow mirror gets ample room. */
const SCRIPT_TIMEOUT_MS = 15 * 60_000;

async function hasImage(docker: Dockerode, name: string): Promise<boolean> {
  try {
    await docker.getImage(name).inspect();
    return true;
  } catch {
    return false;
  }
}

/** Makes debian:trixie-slim on the engine unless it is there already. */
export async function ensureBaseImage(docker: Dockerode): Promise<void> {
  if (await hasImage(docker, BASE_IMAGE)) return;
  // The docker tier's engine is the local one (see engine.ts); the script's client must use it too.
  const env = { ...process.env, IMAGE: BASE_IMAGE, DOCKER_HOST: `unix://${DOCKER_SOCKET}` };
  await new Promise<void>((resolve, reject) => {
    execFile(
      "bash",
      [SCRIPT],
      { env, timeout: SCRIPT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`${SCRIPT} failed (${error.message.split("\n")[0]}):\n${stdout}${stderr}`));
        else resolve();
      },
    );
  });
  if (!(await hasImage(docker, BASE_IMAGE)))
    throw new Error(`${SCRIPT} ran but ${BASE_IMAGE} is still missing`);
}
