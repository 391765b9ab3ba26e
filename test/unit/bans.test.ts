/**
 * Bans as the containers get them: the watcher and its settings in both containers, and in
 * nginx.conf the log of failed basic-auth requests, the geo list and the 403 for a banned address.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ftpContainerFiles, webContainerFiles } from "../../containerFiles";
import { banWatcherScript } from "../../containerFiles/bans";
import { renderNginxConf } from "../../nginx/conf";
import { FTP_CONTAINER_LAYOUT as FTP, parseSpec, WEB_CONTAINER_LAYOUT as WEB, type Spec } from "../../spec";
import { PROJECT, type StackConfig } from "../support/project";
import { threeUserConfig, withValue } from "../support/stacks";
import { parseNginxConf } from "./nginxSyntax";

const specOf = (config: StackConfig): Spec =>
  parseSpec(config, { project: PROJECT, stack: "prod", projectDir: "/p" }).spec;

/** threeUserConfig with a basic-auth user and /images/ behind basic auth. */
const withBasicAuth = (config = threeUserConfig()) =>
  withValue(
    withValue(config, "http.users", [{ name: "viewer", password: "viewer-password" }]),
    "http.locations.1.basicAuth",
    true,
  );

const ftpFiles = (config: StackConfig) =>
  ftpContainerFiles(specOf(config), FTP, {
    ftpHashes: { editor: "$2b$10$e", "team-a": "$2b$10$t", viewer: "$2b$10$v" },
  });
const webFiles = (config: StackConfig) =>
  webContainerFiles(specOf(config), WEB, { httpHashes: { viewer: "$2b$10$v" } });
const content = (files: { file: string; content: string }[], file: string) =>
  files.find((f) => f.file === file)?.content;

describe("the ban watcher", () => {
  it("is valid bash", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-bans-"));
    try {
      fs.writeFileSync(path.join(dir, "bans"), banWatcherScript());
      expect(execFileSync("bash", ["-n", path.join(dir, "bans")], { encoding: "utf8" })).toBe("");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("goes into the FTP container, executable, with settings naming hosts.deny and hosts.allow", () => {
    const files = ftpFiles(threeUserConfig());
    expect(files.find((f) => f.file === FTP.banWatcherFile)).toMatchObject({
      permissions: "0755",
      content: banWatcherScript(),
    });
    expect(content(files, FTP.banSettingsFile)?.split("\n").slice(1)).toEqual([
      "BAN_AFTER_FAILS=10",
      "BAN_WINDOW_SECONDS=600",
      "BAN_SECONDS=900",
      "BAN_LIST_FILE='/etc/hosts.deny'",
      "BAN_ALLOW_FILE='/etc/hosts.allow'",
      "",
    ]);
  });

  it("goes into the web container with a list nginx includes and the reload that reads it", () => {
    const files = webFiles(withBasicAuth());
    expect(content(files, WEB.banSettingsFile)?.split("\n").slice(1)).toEqual([
      "BAN_AFTER_FAILS=10",
      "BAN_WINDOW_SECONDS=600",
      "BAN_SECONDS=900",
      `BAN_LIST_FILE='${WEB.bansFile}'`,
      `BAN_RELOAD='nginx -s reload -c ${WEB.configFile}'`,
      "",
    ]);
    expect(content(files, WEB.bansFile)).toBe("# No address is banned.\n");
  });

  it("stays out of both containers with ban*AfterFails 0, and out of nginx without basic auth", () => {
    const off = withValue(withValue(withBasicAuth(), "ftp.banAfterFails", 0), "http.banAfterFails", 0);
    const names = [...ftpFiles(off), ...webFiles(off)].map((f) => f.file);
    expect(names.filter((f) => f.includes("ban"))).toEqual([]);
    expect(webFiles(threeUserConfig()).map((f) => f.file)).not.toContain(WEB.banWatcherFile);
  });
});

describe("nginx.conf with bans", () => {
  const conf = renderNginxConf(specOf(withBasicAuth()).http, WEB);
  const flat = conf.replace(/\s+/g, " ");
  const http = parseNginxConf(conf).find((d) => d.name === "http")?.block ?? [];
  const [server] = http.filter((d) => d.name === "server");

  it("logs the address alone, only for a 401 to a request that sent credentials", () => {
    expect(flat).toContain('map $status:$http_authorization $vs_auth_failed { "~^401:." 1; default 0; }');
    expect(conf).toContain("log_format vs_auth_failure '$remote_addr';");
    expect(conf).toContain(`access_log ${WEB.authFailureLog} vs_auth_failure if=$vs_auth_failed;`);
  });

  it("answers a listed address with 403 before any location", () => {
    expect(flat).toContain(`geo $vs_banned { default 0; include ${WEB.bansFile}; }`);
    const check = server.block?.findIndex((d) => d.name === "if") ?? -1;
    const firstLocation = server.block?.findIndex((d) => d.name === "location") ?? -1;
    expect(check).toBeGreaterThan(-1);
    expect(check).toBeLessThan(firstLocation);
    expect(server.block?.[check].args).toEqual(["($vs_banned)"]);
  });

  it("has none of it without basic auth", () => {
    expect(renderNginxConf(specOf(threeUserConfig()).http, WEB)).not.toMatch(/vs_banned|vs_auth/);
  });
});
