/** No plaintext password in any non-secret resource input or stack output. */
import { runProgram } from "../support/program";
import { threeUserConfig, withValue } from "../support/stacks";

describe("secrets", () => {
  const configured = ["editor-password-1", "team-a-password-2"];

  it("keeps configured and generated passwords out of every non-secret input and output", async () => {
    const run = await runProgram(threeUserConfig(), { secretKeys: ["ftp"] });
    const generated = Object.values(run.outputs.ftpPasswords as Record<string, string>);
    expect(generated).toHaveLength(1);
    const passwords = [...configured, ...generated];

    const clear = JSON.stringify(run.resources.map((r) => r.publicInputs));
    const publicOutputs = JSON.stringify(
      Object.fromEntries(Object.entries(run.outputs).filter(([k]) => !run.secretOutputs.includes(k))),
    );
    for (const password of passwords) {
      expect(clear).not.toContain(password);
      expect(publicOutputs).not.toContain(password);
    }
  });

  it("stores only bcrypt hashes in the password file, never the password", async () => {
    const run = await runProgram(threeUserConfig(), { secretKeys: ["ftp"] });
    const ftp = run.resources.find((r) => r.name === "video-server-ftp-container");
    const all = JSON.stringify(ftp?.inputs);
    for (const password of configured) expect(all).not.toContain(password);
    const uploads = ftp?.inputs.uploads as { file: string; content: string }[];
    const passwd = uploads.find((u) => u.file === "/etc/vsftpd/passwd")?.content ?? "";
    expect(passwd.trim().split("\n")).toEqual([
      expect.stringMatching(/^editor:\$2b\$10\$/),
      expect.stringMatching(/^team-a:\$2b\$10\$/),
      expect.stringMatching(/^viewer:\$2b\$10\$/),
    ]);
  });

  it("keeps HTTP passwords and the secure-link secret in the web container's secret uploads only", async () => {
    const secret = "a-secure-link-secret-0123";
    const httpPassword = "viewer-http-password";
    let config = withValue(threeUserConfig(), "http.secureLinkSecret", secret);
    config = withValue(config, "http.users", [{ name: "viewer", password: httpPassword }]);
    config = withValue(config, "http.locations.1", {
      path: "/images/",
      directory: "images",
      basicAuth: true,
      secureLink: true,
    });
    const run = await runProgram(config, { secretKeys: ["ftp"] });
    const web = run.resources.find((r) => r.name === "video-server-web-container");
    expect(web?.secretPaths).toContain("uploads");
    const clear = JSON.stringify(run.resources.map((r) => r.publicInputs));
    expect(clear).not.toContain(secret);
    expect(clear).not.toContain(httpPassword);
    const uploads = web?.inputs.uploads as { file: string; content: string }[];
    expect(uploads.find((u) => u.file === "/etc/nginx/nginx.conf")?.content).toContain(`$uri ${secret}";`);
    const htpasswd = uploads.find((u) => u.file === "/etc/nginx/video-server/htpasswd")?.content ?? "";
    expect(htpasswd).toMatch(/^viewer:\$2b\$05\$[./A-Za-z0-9]{53}\n$/);
    expect(JSON.stringify(uploads)).not.toContain(httpPassword);
  });

  it("puts no password in container env, labels or command", async () => {
    const run = await runProgram(threeUserConfig(), { secretKeys: ["ftp"] });
    for (const r of run.resources.filter((x) => x.type === "docker:index/container:Container")) {
      expect(r.inputs.envs).toBeUndefined();
      expect(r.inputs.command).toBeUndefined();
      const labels = JSON.stringify(r.inputs.labels);
      for (const password of configured) expect(labels).not.toContain(password);
    }
  });
});
