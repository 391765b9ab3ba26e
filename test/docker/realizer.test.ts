/** The realizer refuses what it cannot make faithfully, naming the field or type. */
import Dockerode from "dockerode";
import { durationNs, Realizer } from "./realizer";

// Never connected: every case below is refused before any Engine API call.
const realizer = new Realizer(new Dockerode({ socketPath: "/nonexistent/docker.sock" }));
const declared = (type: string, inputs: Record<string, unknown>) => ({
  type,
  name: "example",
  inputs,
  publicInputs: inputs,
  secretPaths: [],
  options: { parent: "", retainOnDelete: false, deleteBeforeReplace: false, protect: false, dependsOn: [] },
});

describe("the realizer", () => {
  it("names a declared container field it does not map", async () => {
    await expect(
      realizer.create(
        declared("docker:index/container:Container", { name: "c", image: "i", privileged: true }),
      ),
    ).rejects.toThrow("docker:index/container:Container example declares privileged, which it does not map");
  });

  it("names a build option it does not map", async () => {
    const build = { context: "./nginx", builderVersion: "BuilderV1", platform: "linux/arm64" };
    await expect(
      realizer.create(declared("docker:index/image:Image", { imageName: "x:y", skipPush: true, build })),
    ).rejects.toThrow("Image build declares platform, which it does not map");
  });

  it("refuses a resource type it has no mapping for", async () => {
    await expect(realizer.create(declared("docker:index/network:Network", { name: "n" }))).rejects.toThrow(
      "no mapping for docker:index/network:Network",
    );
  });

  it("reaches only the local engine", async () => {
    await expect(
      realizer.create(
        declared("pulumi:providers:docker", { host: "ssh://deploy@media.example.com", sshOpts: "[]" }),
      ),
    ).rejects.toThrow("reaches only the local engine, not ssh://deploy@media.example.com");
  });

  test.each([
    ["10s", 10_000_000_000],
    ["250ms", 250_000_000],
    ["2m", 120_000_000_000],
  ])("converts the duration %s to %d ns", (text, ns) => {
    expect(durationNs(text)).toBe(ns);
  });
});
