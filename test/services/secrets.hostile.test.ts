/**
 * Secrets audit on the real servers: no FTP or HTTP password, secure-link secret or TLS key line
 * in vsftpd's or nginx's logs or output after good logins and bad ones trying every secret as a
 * password. Under mocks, the unit tier's secrets.hostile.test.ts audits the declared resources.
 */
import * as fs from "node:fs";
import { signUrl } from "../../nginx/secureLink";
import { fixture } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { ControlConnection } from "../support/ftpControl";
import { request } from "../support/http";
import { startStack, type RunningStack } from "../support/servers";
import { pemBodyLines, testCertificate } from "../support/tls";

describe("secrets in the real servers' logs", () => {
  const ftpPasswords = { uploader: "uploader-Pa55-word-q7", editor: "editor-Pa55-word-k3" };
  const httpPassword = "viewer-Pa55-word-m9";
  const secureLinkSecret = "hostile-Secure-Link-Secret-x4";
  const tls = testCertificate();
  let stack: RunningStack;
  let logs = "";

  beforeAll(async () => {
    stack = await startStack("hostile-secret-logs", {
      ftp: {
        bindAddress: "127.0.0.1",
        // Bad logins are the point: answer them at once.
        delayFailedLogin: 0,
        tls: "enabled",
        tlsCertificate: tls.certificate,
        tlsKey: tls.key,
        users: Object.entries(ftpPasswords).map(([name, password]) => ({ name, password })),
      },
      http: {
        bindAddress: "127.0.0.1",
        users: [{ name: "viewer", password: httpPassword }],
        secureLinkSecret,
        gallery: { enabled: false },
        locations: [
          { path: "/videos/", directory: "videos" },
          { path: "/members/", directory: "members", basicAuth: true },
          { path: "/signed/", directory: "signed", secureLink: true },
        ],
      },
    });
    const all = [...Object.values(ftpPasswords), httpPassword, secureLinkSecret];
    // Good logins, over TLS and in the clear, with an upload each.
    await withFtp(stack, "uploader", (c) => upload(c, fixture("sample.png"), "/members/a.png"));
    const plain = await ControlConnection.login(stack.ftpPort, "editor", ftpPasswords.editor);
    plain.close();
    await withFtp(stack, "uploader", (c) => upload(c, fixture("sample.png"), "/signed/a.png"));
    // Bad logins: every secret tried as the password of a real and of an unknown user.
    const wrong = [
      ...all.map((p) => ["uploader", p === ftpPasswords.uploader ? httpPassword : p]),
      ...all.map((p) => ["mallory", p]),
    ];
    for (const [user, password] of wrong) {
      const session = await ControlConnection.open(stack.ftpPort);
      await session.send(`USER ${user}`);
      expect((await session.send(`PASS ${password}`)).code).toBe(530);
      session.close();
    }
    // HTTP: the right and wrong basic-auth passwords, a good and a forged signed link.
    expect((await request(stack, "/members/a.png", { auth: `viewer:${httpPassword}` })).status).toBe(200);
    for (const p of all.filter((x) => x !== httpPassword))
      expect((await request(stack, "/members/a.png", { auth: `viewer:${p}` })).status).toBe(401);
    expect((await request(stack, "/members/a.png", { auth: `mallory:${httpPassword}` })).status).toBe(401);
    const expires = Math.floor(Date.now() / 1000) + 600;
    expect((await request(stack, signUrl("/signed/a.png", secureLinkSecret, expires))).status).toBe(200);
    expect(
      (await request(stack, signUrl("/signed/a.png", `${secureLinkSecret}-wrong`, expires))).status,
    ).toBe(403);
    // The access log is buffered (http.accessLog): its lines arrive within flush=1s.
    const accessLog = stack.webLayout.accessLog;
    for (let i = 0; i < 40 && !fs.readFileSync(accessLog, "utf8").includes('" 403 '); i++)
      await new Promise((r) => setTimeout(r, 100));
    const files = [stack.ftpLayout.logFile, accessLog, stack.webLayout.errorLog];
    logs = [stack.describe(), ...files.map((f) => `--- ${f}\n${fs.readFileSync(f, "utf8")}`)].join("\n");
  }, 60_000);
  afterAll(() => stack?.stop());

  it("logged the sessions and requests it audits", () => {
    expect(logs).toMatch(/OK LOGIN: Client "127\.0\.0\.1"/);
    expect(logs).toMatch(/FAIL LOGIN: Client "127\.0\.0\.1"/);
    expect(logs).toContain('GET /members/a.png HTTP/1.1" 401');
    expect(logs).toContain("viewer");
  });

  it("writes no password, secret or key line to vsftpd's or nginx's logs or output", () => {
    const secrets = [
      ...Object.values(ftpPasswords),
      httpPassword,
      secureLinkSecret,
      ...pemBodyLines(tls.key),
    ];
    expect(secrets.filter((s) => logs.includes(s))).toEqual([]);
  });
});
