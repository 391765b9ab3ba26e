/** scripts/pulumi.sh, with a stand-in `pulumi` on PATH that records how it was called. */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_DIR } from "../support/program";

interface Outcome {
  readonly code: number;
  readonly stderr: string;
  /** One line per call of the stand-in: its arguments, then what DOCKER_CONTEXT was. */
  readonly calls: string[];
}

function run(action: string, env: Record<string, string>): Promise<Outcome> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-pulumi-sh-"));
  const log = path.join(dir, "calls");
  fs.writeFileSync(
    path.join(dir, "pulumi"),
    `#!/bin/sh\necho "$* DOCKER_CONTEXT=\${DOCKER_CONTEXT-unset}" >> ${log}\n[ "$1" = version ] && echo v3.0.0\nexit 0\n`,
    { mode: 0o755 },
  );
  const { DOCKER_CONTEXT: _ambient, ...inherited } = process.env;
  const childEnv = {
    ...inherited,
    ...env,
    PATH: `${dir}:${process.env.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${dir}`,
    PULUMI_CONFIG_PASSPHRASE: "test",
  };
  return new Promise((resolve) => {
    execFile(
      "bash",
      ["scripts/pulumi.sh", action],
      { cwd: PROJECT_DIR, env: childEnv },
      (error, _out, stderr) => {
        const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
        fs.rmSync(dir, { recursive: true, force: true });
        resolve({ code: error ? Number(error.code ?? 1) : 0, stderr, calls });
      },
    );
  });
}

describe("scripts/pulumi.sh", () => {
  it("unsets DOCKER_CONTEXT, and says so, so images and containers go to one engine", async () => {
    const outcome = await run("preview", { DOCKER_CONTEXT: "elsewhere" });
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toContain("ignoring DOCKER_CONTEXT=elsewhere");
    expect(outcome.calls).toContain("preview --diff DOCKER_CONTEXT=unset");
  });

  it("says nothing about DOCKER_CONTEXT when it is not set", async () => {
    const outcome = await run("preview", {});
    expect(outcome.stderr).not.toContain("DOCKER_CONTEXT");
    expect(outcome.calls[0]).toBe("version DOCKER_CONTEXT=unset");
  });
});
