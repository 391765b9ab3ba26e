/**
 * The GitHub Actions files say what docs/deploy.md promises: a preview comment per stack on pull
 * requests, `pulumi up` per stack on main behind GitHub environments, secrets never in a script;
 * and they pass a workflow linter (action-validator, from the npm registry).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../support/project";

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string>>;
}
interface Job {
  readonly uses?: string;
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly "runs-on"?: string;
  readonly environment?: unknown;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly concurrency?: { readonly group: string; readonly "cancel-in-progress": boolean };
  readonly strategy?: {
    readonly "fail-fast"?: boolean;
    readonly matrix: { readonly stack: readonly string[] };
  };
  readonly container?: { readonly image: string; readonly options?: string };
  readonly steps?: readonly Step[];
}
interface Workflow {
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly concurrency?: { readonly group: string; readonly "cancel-in-progress": boolean };
  readonly jobs: Readonly<Record<string, Job>>;
}

const WORKFLOW_DIR = path.join(PROJECT_DIR, ".github", "workflows");
const FILES = [
  ".github/workflows/preview.yml",
  ".github/workflows/deploy.yml",
  ".github/workflows/test.yml",
  ".github/actions/ssh-access/action.yml",
];
const VALIDATOR = path.join(PROJECT_DIR, "node_modules", ".bin", "action-validator");
const PULUMI_ACTION = "pulumi/actions@v7";

function validate(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(VALIDATOR, [file], { cwd: PROJECT_DIR }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const workflow = (name: string): Workflow =>
  parse(fs.readFileSync(path.join(WORKFLOW_DIR, name), "utf8")) as Workflow;
const steps = (job: Job): readonly Step[] => job.steps ?? [];
function pulumiStep(job: Job, command: string): Step {
  const found = steps(job).find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === command);
  if (!found) throw new Error(`no pulumi/actions step with command ${command}`);
  return found;
}
const indexOf = (job: Job, test: (s: Step) => boolean) => steps(job).findIndex(test);

describe("our workflow and action files", () => {
  it("pass the workflow linter (action-validator), every one of them", async () => {
    const results = [];
    for (const file of FILES) results.push({ file, ...(await validate(file)) });
    expect(results).toEqual(FILES.map((file) => ({ file, code: 0, output: "" })));
  });

  it("hand secrets and action inputs to steps through with and env only, never pasted into a run script", () => {
    const scripts: string[] = [];
    let secretUses = 0;
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        for (const [key, value] of Object.entries(node)) {
          if (key === "run" && typeof value === "string") scripts.push(value);
          else walk(value);
        }
      } else if (typeof node === "string" && /\$\{\{\s*(secrets|inputs)\./.test(node)) secretUses++;
    };
    for (const file of FILES) walk(parse(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8")));
    // The workflows do use secrets: their absence from the scripts below is not for want of any.
    expect(secretUses).toBeGreaterThan(0);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter((script) => /\$\{\{\s*(secrets|inputs)\./.test(script))).toEqual([]);
  });
});

describe("the preview workflow", () => {
  const wf = workflow("preview.yml");
  const job = wf.jobs.preview;

  it("runs on pull requests to main, and on nothing else", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.on.pull_request).toEqual({ branches: ["main"] });
  });

  it("previews only after every test tier passed", () => {
    expect(job.needs).toBe("test");
    expect(wf.jobs.test.uses).toBe("./.github/workflows/test.yml");
  });

  it("previews each environment stack in its own job, and each has a stack file", () => {
    expect(job.strategy?.matrix.stack).toEqual(["dev", "prod"]);
    expect(job.strategy?.["fail-fast"]).toBe(false);
    for (const stack of job.strategy?.matrix.stack ?? []) {
      expect(fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`))).toBe(true);
    }
  });

  it("runs pulumi preview with a diff, commented on the pull request, against the backend from secrets", () => {
    const step = pulumiStep(job, "preview");
    expect(step.uses).toBe(PULUMI_ACTION);
    expect(step.with).toEqual({
      command: "preview",
      "stack-name": "${{ matrix.stack }}",
      "comment-on-pr": true,
      diff: true,
      "cloud-url": "${{ secrets.PULUMI_BACKEND_URL }}",
    });
    expect(step.env).toEqual({ PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" });
  });

  it("may write pull-request comments in the preview job only, and read the code everywhere", () => {
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(job.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  it("sets up Node with npm's cache and installs the dependencies with npm ci before previewing", () => {
    const setup = steps(job).find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(setup?.with).toMatchObject({ cache: "npm" });
    const npmCi = indexOf(job, (s) => s.run === "npm ci");
    expect(npmCi).toBeGreaterThan(-1);
    expect(npmCi).toBeLessThan(indexOf(job, (s) => s.uses === PULUMI_ACTION));
  });

  it("gives the prod preview ssh access to its Docker host from secrets, before the preview", () => {
    const ssh = indexOf(job, (s) => s.uses === "./.github/actions/ssh-access");
    expect(steps(job)[ssh]).toMatchObject({
      if: "matrix.stack == 'prod'",
      with: {
        "private-key": "${{ secrets.SSH_PRIVATE_KEY }}",
        "known-hosts": "${{ secrets.SSH_KNOWN_HOSTS }}",
      },
    });
    expect(ssh).toBeLessThan(indexOf(job, (s) => s.uses === PULUMI_ACTION));
  });

  it("skips the preview of pull requests from forks, which get no secrets", () => {
    expect(job.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
  });
});

describe("the deploy workflow", () => {
  const wf = workflow("deploy.yml");
  const job = wf.jobs.deploy;

  it("runs on pushes to main, and on nothing else", () => {
    expect(wf.on).toEqual({ push: { branches: ["main"] } });
  });

  it("runs pulumi up for each environment stack after the tests", () => {
    expect(job.needs).toBe("test");
    expect(wf.jobs.test.uses).toBe("./.github/workflows/test.yml");
    expect(job.strategy?.matrix.stack).toEqual(["dev", "prod"]);
    const up = pulumiStep(job, "up");
    expect(up.uses).toBe(PULUMI_ACTION);
    expect(up.with).toMatchObject({
      "stack-name": "${{ matrix.stack }}",
      "cloud-url": "${{ secrets.PULUMI_BACKEND_URL }}",
    });
    expect(up.env).toEqual({ PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}" });
  });

  it("deploys each stack in the GitHub environment of the same name, so prod can require an approval", () => {
    expect(job.environment).toBe("${{ matrix.stack }}");
  });

  it("runs one update per stack at a time and never cancels a running one", () => {
    expect(job.concurrency).toEqual({ group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
    expect(job.strategy?.["fail-fast"]).toBe(false);
  });

  it("gives the prod deploy ssh access to its Docker host from secrets, before the update", () => {
    const ssh = indexOf(job, (s) => s.uses === "./.github/actions/ssh-access");
    expect(steps(job)[ssh]).toMatchObject({ if: "matrix.stack == 'prod'" });
    expect(ssh).toBeLessThan(indexOf(job, (s) => s === pulumiStep(job, "up")));
  });

  it("destroys the dev stack, which ran on the runner itself, and never prod", () => {
    const destroy = pulumiStep(job, "destroy");
    expect(destroy.if).toBe("always() && matrix.stack == 'dev'");
    expect(destroy.with).toMatchObject({ "stack-name": "dev" });
  });
});

describe("the test workflow", () => {
  const wf = workflow("test.yml");

  it("is called by the others rather than triggered on its own", () => {
    expect(Object.keys(wf.on)).toEqual(["workflow_call"]);
  });

  it("runs .ci/run, so every test tier, as root in a privileged Debian container", () => {
    const job = wf.jobs.test;
    expect(job.container).toMatchObject({ image: "debian:bookworm", options: "--privileged" });
    expect(steps(job).some((s) => s.run === "bash .ci/run")).toBe(true);
  });
});
