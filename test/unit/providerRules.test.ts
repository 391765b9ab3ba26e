/**
 * The providers' own rules (test/support/providerRules.ts), and the realizer refusing what the
 * real providers would refuse or silently change, before any Engine API call.
 */
import Dockerode from "dockerode";
import { readBackCpus } from "../../spec";
import { dialStdioArgs } from "../docker/sshDial";
import { Realizer } from "../docker/realizer";
import {
  durationProblem,
  goDurationString,
  parseGoDuration,
  planContainerChange,
  cpusProblems,
  memoryProblems,
  portProblems,
  serviceDurationProblem,
  shortDurString,
  swarmObjectProblems,
  uploadProblems,
} from "../support/providerRules";
import { serviceSpec } from "../docker/swarmKinds";

// Never connected: every case below is refused before any Engine API call.
const realizer = new Realizer(new Dockerode({ socketPath: "/nonexistent/docker.sock" }));
const declared = (type: string, inputs: Record<string, unknown>) => ({
  type,
  name: "example",
  inputs,
  publicInputs: inputs,
  secretPaths: [],
  options: {
    parent: "",
    retainOnDelete: false,
    deleteBeforeReplace: false,
    protect: false,
    dependsOn: [],
    replaceOnChanges: [],
    ignoreChanges: [],
  },
});
const image = (build: Record<string, unknown>) =>
  declared("docker:index/image:Image", { imageName: "x:y", skipPush: true, build });
const container = (inputs: Record<string, unknown>) =>
  declared("docker:index/container:Container", { name: "c", image: "i", ...inputs });

describe("Go durations, as the docker provider reads and writes them", () => {
  test.each([
    ["10s", 10e9],
    ["250ms", 250e6],
    ["1m0s", 60e9],
    ["1m30s", 90e9],
    ["1h0m0s", 3600e9],
    ["1.5s", 1.5e9],
    ["0s", 0],
  ])("reads %s as %d ns and writes it back unchanged", (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
    expect(goDurationString(ns)).toBe(text);
    expect(durationProblem("healthcheck.interval", text)).toBeUndefined();
  });

  test.each([
    ["60s", "1m0s"],
    ["90s", "1m30s"],
    ["2m", "2m0s"],
    ["1000ms", "1s"],
    ["1h", "1h0m0s"],
  ])("refuses %s, which comes back as %s and would show a diff on every up", (text, canonical) => {
    expect(durationProblem("healthcheck.interval", text)).toBe(
      `healthcheck.interval: '${text}' comes back from the provider as '${canonical}' (a diff on every up); write '${canonical}'`,
    );
  });

  it("refuses text that is no duration", () => {
    expect(durationProblem("healthcheck.timeout", "5 seconds")).toBe(
      "healthcheck.timeout: '5 seconds' is not a Go duration",
    );
  });
});

describe("container uploads, as the docker provider takes them", () => {
  it("accepts a file with content and an octal mode", () => {
    expect(uploadProblems([{ file: "/etc/x", content: "x\n", permissions: "0600" }])).toEqual([]);
  });

  test.each(["600", "0o600", "0800", "00644", "rw-------"])("refuses the permissions %s", (permissions) => {
    expect(uploadProblems([{ file: "/etc/x", content: "x", permissions }])).toEqual([
      `upload /etc/x: permissions '${permissions}' do not match ^0[0-7]{3}$`,
    ]);
  });

  it("refuses an empty file, which the provider rejects", () => {
    expect(uploadProblems([{ file: "/etc/x", content: "" }])).toEqual([
      "upload /etc/x: empty content (the provider refuses an upload without content)",
    ]);
  });
});

describe("what an up does with a changed container", () => {
  const before = { name: "c", image: "sha256:a", healthcheck: { interval: "10s" }, init: true };

  it("replaces a container whose healthcheck changed when replaceOnChanges names every input", () => {
    const after = { ...before, healthcheck: { interval: "20s" } };
    expect(planContainerChange(before, after, ["*"])).toEqual({
      action: "replace",
      changed: ["healthcheck"],
      ignored: [],
    });
  });

  it("without replaceOnChanges updates it in place, which leaves the healthcheck and init as they were", () => {
    const after = { ...before, healthcheck: { interval: "20s" }, init: false };
    expect(planContainerChange(before, after, [])).toEqual({
      action: "update",
      changed: ["healthcheck", "init"],
      ignored: ["healthcheck", "init"],
    });
  });

  it("replaces a container whose image changed even without replaceOnChanges", () => {
    expect(planContainerChange(before, { ...before, image: "sha256:b" }, []).action).toBe("replace");
  });

  it("does nothing when no input changed", () => {
    expect(planContainerChange(before, { ...before }, ["*"]).action).toBe("same");
  });
});

describe("the realizer", () => {
  it("names a declared container field it does not map", async () => {
    await expect(realizer.create(container({ privileged: true }))).rejects.toThrow(
      "docker:index/container:Container example declares privileged, which it does not map",
    );
  });

  it("names a build option it does not map", async () => {
    const build = { context: "./nginx", builderVersion: "BuilderV1", platform: "linux/amd64", target: "x" };
    await expect(realizer.create(image(build))).rejects.toThrow(
      "Image build declares target, which it does not map",
    );
  });

  it("refuses an Image without a platform, which the provider would build for the deploying machine", async () => {
    await expect(realizer.create(image({ context: "./nginx", builderVersion: "BuilderV1" }))).rejects.toThrow(
      "Image x:y must set build.platform (linux/amd64 or linux/arm64)",
    );
  });

  it("refuses a healthcheck duration that is not in Go's canonical form", async () => {
    const healthcheck = {
      tests: ["CMD", "true"],
      interval: "60s",
      timeout: "5s",
      startPeriod: "5s",
      retries: 3,
    };
    await expect(realizer.create(container({ healthcheck }))).rejects.toThrow(
      "healthcheck.interval: '60s' comes back from the provider as '1m0s'",
    );
  });

  it("refuses an upload the provider would refuse", async () => {
    const uploads = [{ file: "/etc/x", content: "x", permissions: "644" }];
    await expect(realizer.create(container({ uploads }))).rejects.toThrow(
      "container c: upload /etc/x: permissions '644' do not match",
    );
  });

  it("refuses a resource type it has no mapping for", async () => {
    await expect(realizer.create(declared("docker:index/plugin:Plugin", { name: "n" }))).rejects.toThrow(
      "no mapping for docker:index/plugin:Plugin",
    );
  });

  it("reaches the local engine or an ssh:// host, nothing else", async () => {
    await expect(
      realizer.create(declared("pulumi:providers:docker", { host: "tcp://127.0.0.1:2375", sshOpts: [] })),
    ).rejects.toThrow("reaches the local engine or an ssh:// host, not tcp://127.0.0.1:2375");
  });

  it("dials an ssh:// engine with the provider's ssh options, then docker system dial-stdio on the server", () => {
    expect(
      dialStdioArgs({ user: "deploy", host: "media.example.com", port: 2222 }, [
        "-i",
        "/k",
        "-o",
        "BatchMode=yes",
      ]),
    ).toEqual([
      "-i",
      "/k",
      "-o",
      "BatchMode=yes",
      "-l",
      "deploy",
      "-p",
      "2222",
      "--",
      "media.example.com",
      "docker",
      "system",
      "dial-stdio",
    ]);
  });
});

describe("memory as the engine stores it and the provider reads it back", () => {
  it("takes no limit, or a limit with memorySwap -1", () => {
    expect(memoryProblems(undefined, undefined)).toEqual([]);
    expect(memoryProblems(512, -1)).toEqual([]);
  });

  it("refuses a limit without memorySwap: the engine stores twice the limit, read back as a diff", () => {
    expect(memoryProblems(512, undefined)).toEqual([
      "memorySwap: unset with memory 512: the engine stores 1024 (or -1), which the provider reads back (a diff on every up); set -1",
    ]);
  });

  it("refuses a swap limit: a host without swap accounting stores -1 instead", () => {
    expect(memoryProblems(512, 512)).toEqual([
      "memorySwap: 512 comes back as -1 on a host without swap accounting (a diff on every up there); set -1",
    ]);
  });
});

describe("cpus as the provider reads them back", () => {
  it("takes the spellings nanoInt64ToDecimalString writes", () => {
    for (const cpus of ["1.0", "0.5", "1.25", "2.0", "0.1", "10.", "16.0", "1.05"])
      expect({ cpus, problems: cpusProblems(cpus) }).toEqual({ cpus, problems: [] });
  });

  it("refuses another spelling of the same value, and a value rounded on the way back", () => {
    expect(cpusProblems("1")).toEqual([
      "cpus: '1' comes back from the provider as '1.0' (a diff on every up)",
    ]);
    expect(cpusProblems("0.50")).toEqual([
      "cpus: '0.50' comes back from the provider as '0.5' (a diff on every up)",
    ]);
    expect(cpusProblems("0.05")).toEqual([
      "cpus: '0.05' comes back from the provider as '0.1' (a diff on every up)",
    ]);
  });

  it("agrees with the spec's spelling for every value processing.cpus accepts", () => {
    for (let hundredths = 10; hundredths <= 6400; hundredths += 1) {
      const n = hundredths / 100;
      const spelled = readBackCpus(n);
      if (Number(spelled) !== n) continue; // refused by the schema
      expect({ n, problems: cpusProblems(spelled) }).toEqual({ n, problems: [] });
    }
  });
});

describe("ports as the provider reads them back: sorted by internal port", () => {
  it("takes the ports in ascending internal order, as both containers declare them", () => {
    expect(portProblems([{ internal: 21 }, { internal: 30000 }, { internal: 30001 }])).toEqual([]);
    expect(portProblems([{ internal: 80 }, { internal: 443 }])).toEqual([]);
  });

  it("refuses another order, which would replace the container on every up", () => {
    expect(portProblems([{ internal: 443 }, { internal: 80 }])).toEqual([
      "ports: internal 80 after 443: the provider reads ports back sorted by internal port (a replacement on every up); sort them",
    ]);
  });
});

describe("Swarm services, configs and secrets, as the docker provider makes and reads them", () => {
  const service = (extra: Record<string, unknown> = {}, containerSpec: Record<string, unknown> = {}) => ({
    name: "s",
    taskSpec: {
      containerSpec: { image: "x@sha256:1", stopGracePeriod: "30s", ...containerSpec },
      restartPolicy: { condition: "any", delay: "5s" },
    },
    mode: { replicated: { replicas: 1 } },
    endpointSpec: { mode: "dnsrr", ports: [{ targetPort: 80, publishedPort: 8080, publishMode: "host" }] },
    convergeConfig: { delay: "5s", timeout: "3m" },
    ...extra,
  });

  it("reads service durations back with shortDur: no trailing 0s after minutes, no 0m after hours", () => {
    expect([30e9, 60e9, 90e9, 3600e9, 5400e9].map(shortDurString)).toEqual([
      "30s",
      "1m",
      "1m30s",
      "1h",
      "1h30m",
    ]);
    expect(serviceDurationProblem("stopGracePeriod", "30s")).toBeUndefined();
    expect(serviceDurationProblem("stopGracePeriod", "60s")).toMatch(/comes back from the provider as '1m'/);
    // What a container's healthcheck wants (Go's own String()) is a diff on a service.
    expect(serviceDurationProblem("healthcheck.interval", "1m0s")).toMatch(/as '1m'/);
  });

  it("maps a service the program declares into the Engine API's spec, with host-mode ports and DNS round robin", () => {
    const { spec, replicas } = serviceSpec(service());
    expect(replicas).toBe(1);
    expect(spec).toMatchObject({
      Name: "s",
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: "dnsrr", Ports: [{ PublishMode: "host", TargetPort: 80, PublishedPort: 8080 }] },
      TaskTemplate: { ContainerSpec: { Image: "x@sha256:1", StopGracePeriod: 30e9 } },
    });
  });

  it("names a service field it does not map, nested or not", async () => {
    expect(() => serviceSpec(service({}, { readOnly: true }))).toThrow(
      "Service taskSpec.containerSpec declares readOnly, which it does not map",
    );
    await expect(
      realizer.create(declared("docker:index/service:Service", service({ rollbackConfig: {} }))),
    ).rejects.toThrow("declares rollbackConfig, which it does not map");
  });

  it("refuses convergeConfig on a global service: the provider's convergence fails with no replica count", () => {
    expect(() => serviceSpec(service({ mode: { global: true } }))).toThrow("no replica count");
    expect(() => serviceSpec(service({ mode: { global: true }, convergeConfig: undefined }))).not.toThrow();
  });

  it("refuses ingress publishing, which needs IPVS this machine's kernel lacks", () => {
    const ingress = service({
      endpointSpec: { mode: "vip", ports: [{ targetPort: 80, publishedPort: 8080, publishMode: "ingress" }] },
    });
    expect(() => serviceSpec(ingress)).toThrow(/ingress mode: ingress publishing needs IPVS/);
  });

  it("sends registry credentials only with both a user name and a password, as authToServiceAuth", () => {
    const auth = (a: Record<string, unknown>) =>
      serviceSpec(service({ auth: { serverAddress: "r:5000", ...a } })).auth;
    expect(auth({ username: "u", password: "p" })).toEqual({
      username: "u",
      password: "p",
      serveraddress: "r:5000",
    });
    expect(auth({ username: "u" })).toBeUndefined();
  });

  it("takes standard base64 data and Swarm names up to 64 characters", () => {
    expect(swarmObjectProblems("config", "a-b.c_d", Buffer.from("x\n").toString("base64"))).toEqual([]);
    expect(swarmObjectProblems("config", "a", "not base64!")).toEqual([
      "config a: data is not standard base64 (the provider refuses it)",
    ]);
    expect(swarmObjectProblems("secret", "x".repeat(65), "")).toEqual([
      `secret ${"x".repeat(65)}: the name is longer than Swarm's 64 characters`,
    ]);
  });
});
