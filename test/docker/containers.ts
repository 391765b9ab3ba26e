/** Commands inside the realizer's containers, and waiting for the restart policy to act. */
import { PassThrough } from "node:stream";
import type Dockerode from "dockerode";

export async function exec(
  docker: Dockerode,
  container: Dockerode.Container,
  cmd: string[],
): Promise<{ code: number; output: string }> {
  const e = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await e.start({ hijack: true, stdin: false });
  // Without a TTY the engine multiplexes stdout and stderr with frame headers.
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  docker.modem.demuxStream(stream, sink, sink);
  await new Promise((resolve) => stream.on("end", resolve));
  const { ExitCode } = await e.inspect();
  return { code: ExitCode ?? -1, output: Buffer.concat(chunks).toString() };
}

/**
 * SIGKILL for the server process: the process named `comm` whose parent is not (nginx's master
 * under docker-init, vsftpd's listener under its entrypoint; not their workers or sessions).
 * Its death ends the container, so what brings the service back is the restart policy.
 */
export async function killServerProcess(
  docker: Dockerode,
  container: Dockerode.Container,
  comm: string,
): Promise<void> {
  // Exit status 3 when nothing was killed. After a kill the container may stop before the exec
  // reports (its output or status lost): callers judge by the restart that follows.
  const script =
    'k=3; for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = "$1" ] && ' +
    'pp=$(awk \'{print $4}\' $p/stat 2>/dev/null) && [ "$(cat /proc/$pp/comm 2>/dev/null)" != "$1" ] && ' +
    'kill -9 "${p#/proc/}" && k=0; done; exit $k';
  const result = await exec(docker, container, ["sh", "-c", script, "kill-server", comm]);
  if (result.code !== 3) return;
  const ps = await exec(docker, container, [
    "sh",
    "-c",
    'for p in /proc/[0-9]*; do echo "$(cat $p/stat)"; done',
  ]);
  const state = (await container.inspect()).State;
  throw new Error(
    `no top-level ${comm} process to kill (exit ${result.code}: ${result.output})\n${ps.output}\n${JSON.stringify(state)}`,
  );
}

/** Waits until the container has restarted `restarts` times and is healthy again (at most 90 s). */
export async function restartedHealthy(
  container: Dockerode.Container,
  restarts: number,
): Promise<Dockerode.ContainerInspectInfo> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const info = await container.inspect();
    if (info.RestartCount >= restarts && info.State.Health?.Status === "healthy") return info;
    if (Date.now() > deadline) {
      throw new Error(
        `not restarted and healthy within 90 s: restarts ${info.RestartCount}, ${JSON.stringify(info.State)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
