/**
 * Bans after failed basic-auth requests, nginx's side, on the real nginx with the rendered
 * files: a wrong password (and only that) is logged as the client's address; the ban watcher
 * in nginx mode, with the stack's own settings, lists an address after http.banAfterFails
 * failures and reloads nginx; a listed address gets 403 for everything while others are served.
 * Every client here is 127.0.0.x, which the watcher never bans, so the list is written by hand
 * for the 403 and fed addresses for the watcher; the docker tier bans a real client address.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { startBanWatcher, type BanWatcher } from "../support/banWatcher";
import { upload, withFtp } from "../support/ftp";
import { request } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";
import { waitFor } from "../support/wait";
import { DELIVERY, VIEWER } from "./deliveryStacks";

const STACK = {
  ...DELIVERY,
  http: { ...(DELIVERY.http as object), banAfterFails: 3, banWindow: 60, banTime: 3 },
};
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

let stack: RunningStack;
const failures = () => fs.readFileSync(stack.webLayout.authFailureLog, "utf8");
const reload = () =>
  execFileSync("nginx", ["-s", "reload", "-c", stack.webLayout.configFile], { stdio: "pipe" });
/** nginx's worker pids: a reload replaces them (the old ones finish, then exit). */
const workers = (): string[] => {
  const master = fs.readFileSync(stack.webLayout.pidFile, "utf8").trim();
  return execFileSync("pgrep", ["-P", master], { encoding: "utf8" }).trim().split("\n").sort();
};

beforeAll(async () => {
  stack = await startStack("services-web-bans", STACK);
  await withFtp(stack, "uploader", (c) => upload(c, Buffer.from("for members\n"), "/members/note.txt"));
}, 60_000);
afterAll(() => stack?.stop());

describe("the log of failed basic-auth requests", () => {
  it("gets the client's address for a wrong password, and nothing for no credentials or the right ones", async () => {
    const before = failures();
    expect((await request(stack, "/members/note.txt")).status).toBe(401);
    const good = { authorization: basic(VIEWER.name, VIEWER.password) };
    expect((await request(stack, "/members/note.txt", { headers: good })).status).toBe(200);
    expect(failures()).toBe(before);
    const bad = { authorization: basic(VIEWER.name, "not-the-password") };
    expect((await request(stack, "/members/note.txt", { headers: bad })).status).toBe(401);
    await waitFor("the failure's line", () => failures() !== before, 2_000);
    expect(failures().slice(before.length)).toBe("127.0.0.1\n");
  });
});

describe("a listed address", () => {
  afterAll(() => {
    fs.writeFileSync(stack.webLayout.bansFile, "# No address is banned.\n");
    reload();
  });

  it("gets 403 for everything, while another address is served as before", async () => {
    fs.writeFileSync(stack.webLayout.bansFile, "127.0.0.2 1;\n");
    const old = workers();
    reload();
    await waitFor("nginx's reload", () => !workers().some((p) => old.includes(p)), 5_000);
    for (const urlPath of ["/videos/", "/members/note.txt", "/gallery/", "/nothing"]) {
      expect([urlPath, (await request(stack, urlPath, { localAddress: "127.0.0.2" })).status]).toEqual([
        urlPath,
        403,
      ]);
    }
    expect((await request(stack, "/members/note.txt")).status).toBe(401);
    expect((await request(stack, "/videos/", { localAddress: "127.0.0.3" })).status).toBe(200);
  });
});

describe("the ban watcher in nginx mode, with the stack's settings", () => {
  let watcher: BanWatcher;
  const output = () => watcher.output();
  beforeAll(async () => {
    const { authFailureLog, banSettingsFile } = stack.webLayout;
    watcher = await startBanWatcher("nginx", authFailureLog, banSettingsFile);
  });
  afterAll(() => watcher?.stop());

  it("lists an address after 3 failures, reloads nginx, and lifts the ban after http.banTime", async () => {
    const old = workers();
    // As nginx logs three failed requests from a client on another machine.
    fs.appendFileSync(stack.webLayout.authFailureLog, "203.0.113.7\n203.0.113.7\n203.0.113.7\n");
    await waitFor(
      "the ban's line",
      () => output().includes("video-server-bans: banned 203.0.113.7 for 3 s"),
      5_000,
    );
    expect(fs.readFileSync(stack.webLayout.bansFile, "utf8")).toContain("\n203.0.113.7 1;\n");
    await waitFor("nginx's reload", () => !workers().some((p) => old.includes(p)), 5_000);
    await waitFor("the unban", () => output().includes("video-server-bans: unbanned 203.0.113.7"), 8_000);
    expect(fs.readFileSync(stack.webLayout.bansFile, "utf8")).not.toContain("203.0.113.7");
    // nginx still serves after the reloads.
    expect((await request(stack, "/videos/")).status).toBe(200);
  }, 20_000);
});
