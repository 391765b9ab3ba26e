/**
 * The real servers accept what the renderers produce, for every stack of the matrix: nginx -t on
 * the exact container nginx.conf, and both servers started with the host layout.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FTP_CONTAINER_LAYOUT, WEB_CONTAINER_LAYOUT } from "../../spec";
import { parseSpec } from "../../spec";
import { webContainerFiles } from "../../containerFiles";
import { ENTRYPOINT, entrypointVariables } from "../support/folders";
import { ftpConnect, recordDataConnections, upload } from "../support/ftp";
import { request } from "../support/http";
import { withSections } from "../support/layout";
import { requirePrerequisites } from "../support/prerequisites";
import { PROJECT, PROJECT_DIR } from "../support/project";
import { nginxTest, startStack, type RunningStack } from "../support/servers";
import { MATRIX } from "./stacks";

/** For stacks that leave them out; the container nginx.conf depends on neither ports nor media path. */
const DEPLOY_VALUES = {
  media: { hostPath: "/srv/video-server/media" },
  ftp: { port: 21, passivePorts: { min: 30000, max: 30009 } },
  http: { port: 80 },
};

describe("the generated configuration on the real servers", () => {
  let scratch: string;
  beforeAll(() => {
    requirePrerequisites();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "video-server-nginx-t-"));
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it("vsftpd/entrypoint.sh prepares folders at the container layout's paths", () => {
    const vars = entrypointVariables();
    expect(vars).toMatchObject({
      MEDIA_ROOT: FTP_CONTAINER_LAYOUT.mediaRoot,
      FOLDERS: FTP_CONTAINER_LAYOUT.folderListFile,
      LOG: FTP_CONTAINER_LAYOUT.logFile,
      GUEST: FTP_CONTAINER_LAYOUT.guestUser,
    });
    expect(fs.readFileSync(ENTRYPOINT, "utf8")).toContain(`vsftpd ${FTP_CONTAINER_LAYOUT.configFile} &`);
  });

  it("both entrypoints start the ban watcher the program uploads, at the container layouts' paths", () => {
    const web = fs.readFileSync(path.join(PROJECT_DIR, "nginx/entrypoint.sh"), "utf8");
    const { banWatcherFile, authFailureLog, banSettingsFile } = WEB_CONTAINER_LAYOUT;
    expect(web).toContain(`( ${banWatcherFile} nginx ${authFailureLog} ${banSettingsFile} & )`);
    const ftp = fs.readFileSync(ENTRYPOINT, "utf8");
    const f = FTP_CONTAINER_LAYOUT;
    expect(ftp).toContain(`( ${f.banWatcherFile} vsftpd "$LOG" ${f.banSettingsFile} & )`);
  });

  it.each(MATRIX)("nginx -t accepts the container nginx.conf of the %s stack", async (name, stack) => {
    const ctx = { project: PROJECT, stack: name, projectDir: "/srv/video-server" };
    const { spec, secrets } = parseSpec(withSections(stack, DEPLOY_VALUES), ctx);
    const httpHashes = Object.fromEntries(spec.http.users.map((u) => [u, "$2b$05$x"]));
    // The ban list is an include, which nginx -t opens: here it lives in the scratch dir.
    const layout = { ...WEB_CONTAINER_LAYOUT, bansFile: path.join(scratch, `${name}.bans.conf`) };
    const files = webContainerFiles(spec, layout, {
      httpHashes,
      secureLinkSecret: secrets.secureLinkSecret,
    });
    for (const f of files.filter((f) => f.file === layout.bansFile)) fs.writeFileSync(f.file, f.content);
    const conf = files.find((f) => f.file === WEB_CONTAINER_LAYOUT.configFile);
    expect(conf).toBeDefined();
    const file = path.join(scratch, `${name}.conf`);
    fs.writeFileSync(file, conf?.content ?? "");
    const result = await nginxTest(file);
    expect(result.output).toContain("test is successful");
    expect(result.ok).toBe(true);
  });

  describe.each(MATRIX)("the %s stack", (name, stackConfig) => {
    let stack: RunningStack;
    beforeAll(async () => {
      stack = await startStack(`services-${name}`, stackConfig);
    });
    afterAll(() => stack?.stop());

    it("passes nginx -t with the host layout", async () => {
      const result = await nginxTest(stack.webLayout.configFile);
      expect(result.output).toContain("test is successful");
      expect(result.ok).toBe(true);
    });

    it("lets every user log in to its root and list its location folders over passive ports of the range", async () => {
      const { min, max } = stack.spec.ftp.passivePorts;
      for (const user of stack.spec.ftp.users) {
        const folders = stack.spec.http.locations
          .map((l) => l.directory)
          .filter((d) => user.root === "" || d.startsWith(`${user.root}/`))
          .map((d) => `/${d.slice(user.root === "" ? 0 : user.root.length + 1)}`);
        expect(folders.length).toBeGreaterThan(0);
        const client = await ftpConnect(stack, user.name);
        try {
          const data = recordDataConnections(client, "PASV");
          expect(await client.pwd()).toBe("/");
          for (const folder of folders) await client.list(folder);
          expect(data).toHaveLength(folders.length);
          for (const d of data) {
            // 227 Entering Passive Mode (127,0,0,1,p1,p2): a host name as passiveAddress is resolved.
            expect(d.reply).toMatch(/\(127,0,0,1,\d+,\d+\)/);
            expect(d.port).toBeGreaterThanOrEqual(min);
            expect(d.port).toBeLessThanOrEqual(max);
            // Stacks with FTPS log in over TLS (ftpConnect), and their data connections follow.
            expect(d.encrypted).toBe(stack.spec.ftp.tls !== "off");
          }
        } finally {
          client.close();
        }
      }
    });

    it("serves a file uploaded into each open location's folder from the location's URL", async () => {
      // Every stack of the matrix has a writing user for the whole media.
      const writer = stack.spec.ftp.users.find((u) => u.write && u.root === "");
      expect(writer).toBeDefined();
      const body = Buffer.from(`uploaded on the ${name} stack\n`);
      // Locations behind basic auth, secure links or allow/deny answer others than 200 here.
      const open = stack.spec.http.locations.filter(
        (l) => !l.basicAuth && !l.secureLink && l.allow.length === 0,
      );
      expect(open.length).toBeGreaterThan(0);
      const client = await ftpConnect(stack, writer?.name ?? "");
      try {
        for (const location of open) await upload(client, body, `/${location.directory}/check.txt`);
      } finally {
        client.close();
      }
      for (const location of open) {
        const res = await request(stack, `${location.path}check.txt`);
        expect({ url: location.path, status: res.status, body: res.body.toString() }).toEqual({
          url: location.path,
          status: 200,
          body: body.toString(),
        });
      }
    });
  });
});
