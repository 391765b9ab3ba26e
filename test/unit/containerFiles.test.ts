/** What each container receives: the file lists, their modes, and where the secrets land. */
import { containerSecrets, ftpContainerFiles, saltFor, webContainerFiles } from "../../containerFiles";
import { FTP_CONTAINER_LAYOUT, parseSpec, WEB_CONTAINER_LAYOUT, type Spec } from "../../spec";
import { PROJECT, type StackConfig } from "../support/project";
import { threeUserConfig, withValue } from "../support/stacks";

const ctx = { project: PROJECT, stack: "prod", projectDir: "/p" };
const SECRET = "a-secure-link-secret-0123";
// Pattern-valid stand-ins: the files copy PEM text, they do not parse it.
const CERT = "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----";

const specOf = (config: StackConfig): Spec => parseSpec(config, ctx).spec;
const hashes = (spec: Spec) => Object.fromEntries(spec.ftp.users.map((u) => [u.name, `$2b$10$${u.name}`]));

/** threeUserConfig with these locations (its FTP users need team-a/videos to exist). */
function webSpec(locations: object[]): Spec {
  let config = withValue(threeUserConfig(), "http.locations", [
    ...locations,
    { path: "/team-a/videos/", directory: "team-a/videos" },
  ]);
  config = withValue(config, "http.secureLinkSecret", SECRET);
  config = withValue(config, "http.users", [{ name: "viewer", password: "viewer-password" }]);
  return specOf(config);
}

describe("ftpContainerFiles", () => {
  const withTls = (tls: string): StackConfig =>
    withValue(
      withValue(withValue(threeUserConfig(), "ftp.tls", tls), "ftp.tlsCertificate", CERT),
      "ftp.tlsKey",
      KEY,
    );
  const files = (
    config: StackConfig,
    tls: { tlsCertificate?: string; tlsKey?: string } = { tlsCertificate: CERT, tlsKey: KEY },
  ) => {
    const spec = specOf(config);
    return ftpContainerFiles(spec, FTP_CONTAINER_LAYOUT, { ftpHashes: hashes(spec), ...tls });
  };

  it("uploads the config, PAM service, folder list, one file per user, the root-only password file and the ban watcher", () => {
    expect(files(threeUserConfig()).map((f) => `${f.file} ${f.permissions}`)).toEqual([
      "/etc/vsftpd.conf 0644",
      "/etc/pam.d/vsftpd-virtual 0644",
      "/etc/vsftpd/folders 0644",
      "/etc/vsftpd/users/editor 0644",
      "/etc/vsftpd/users/team-a 0644",
      "/etc/vsftpd/users/viewer 0644",
      "/etc/vsftpd/passwd 0600",
      "/usr/local/bin/video-server-bans 0755",
      "/etc/vsftpd/bans 0644",
    ]);
  });

  it("writes each user's hash into the password file, sorted by name", () => {
    const passwd = files(threeUserConfig()).find((f) => f.file === FTP_CONTAINER_LAYOUT.passwordFile);
    expect(passwd?.content).toBe("editor:$2b$10$editor\nteam-a:$2b$10$team-a\nviewer:$2b$10$viewer\n");
  });

  it("refuses a user without a hash instead of writing a password file that locks them out", () => {
    const spec = specOf(threeUserConfig());
    expect(() => ftpContainerFiles(spec, FTP_CONTAINER_LAYOUT, { ftpHashes: {} })).toThrow(
      "no ftp password hash for user 'editor'",
    );
  });

  test.each(["enabled", "required"])(
    "adds the certificate (0644) and the key (root only, 0600) when ftp.tls is %s",
    (tls) => {
      expect(files(withTls(tls)).slice(-2)).toEqual([
        { file: "/etc/vsftpd/tls-certificate.pem", permissions: "0644", content: `${CERT}\n` },
        { file: "/etc/vsftpd/tls-key.pem", permissions: "0600", content: `${KEY}\n` },
      ]);
    },
  );

  it("writes no certificate or key when ftp.tls is off, even if they are given", () => {
    expect(files(threeUserConfig()).filter((f) => f.file.includes("tls"))).toEqual([]);
  });

  it("keeps a PEM that already ends in a newline as it is", () => {
    const pems = files(withTls("required"), { tlsCertificate: `${CERT}\n`, tlsKey: `${KEY}\r\n` }).slice(-2);
    expect(pems.map((f) => f.content)).toEqual([`${CERT}\n`, `${KEY}\r\n`]);
  });

  it("refuses to render TLS without a key instead of writing a server that cannot start", () => {
    expect(() => files(withTls("required"), { tlsCertificate: CERT })).toThrow(
      "ftp.tls is required but no ftp.tlsCertificate and ftp.tlsKey were given",
    );
  });
});

describe("webContainerFiles", () => {
  const files = (spec: Spec, secureLinkSecret?: string) =>
    webContainerFiles(spec, WEB_CONTAINER_LAYOUT, { httpHashes: { viewer: "$2b$05$x" }, secureLinkSecret });

  it("uploads nginx.conf, the password file when there are HTTP users, and the gallery page when it is on", () => {
    const spec = webSpec([{ path: "/videos/", directory: "videos", autoindex: true }]);
    expect(files(spec).map((f) => `${f.file} ${f.permissions}`)).toEqual([
      "/etc/nginx/nginx.conf 0644",
      "/etc/nginx/video-server/htpasswd 0644",
      "/etc/nginx/video-server/gallery.html 0644",
    ]);
    expect(files(spec)[1].content).toBe("viewer:$2b$05$x\n");
  });

  it("uploads nginx.conf alone without HTTP users and with the gallery off", () => {
    let config = withValue(threeUserConfig(), "http.gallery", { enabled: false });
    config = withValue(config, "http.users", []);
    expect(files(specOf(config)).map((f) => f.file)).toEqual(["/etc/nginx/nginx.conf"]);
  });

  it("writes the secure-link secret into nginx.conf only where a location uses it, and its derived files", () => {
    const signed = webSpec([
      { path: "/videos/", directory: "videos", autoindex: true },
      { path: "/signed/", directory: "signed", secureLink: true },
    ]);
    const lines = files(signed, SECRET)[0].content.split("\n");
    const blockOf = (at: number) =>
      lines
        .slice(0, at)
        .reverse()
        .find((l) => /^\s+location /.test(l))
        ?.trim();
    // The location itself, then its metadata, posters and previews: each checks the signature.
    expect(lines.flatMap((l, at) => (l.includes(SECRET) ? [blockOf(at)] : []))).toEqual([
      "location /signed/ {",
      "location /-/meta/signed/ {",
      "location /-/poster/signed/ {",
      "location /-/preview/signed/ {",
    ]);
    const open = webSpec([{ path: "/videos/", directory: "videos", autoindex: true }]);
    expect(files(open, SECRET)[0].content).not.toContain(SECRET);
  });
});

describe("containerSecrets", () => {
  it("hashes each password with the stack's salt for its service, and passes the rest through", () => {
    const spec = webSpec([{ path: "/videos/", directory: "videos", autoindex: true }]);
    const passwords = Object.fromEntries(spec.ftp.users.map((u) => [u.name, `password-${u.name}`]));
    const { ftp, web } = containerSecrets(spec, {
      ftpPasswords: passwords,
      httpPasswords: { viewer: "viewer-password" },
      webhookSecrets: [],
      secureLinkSecret: SECRET,
    });
    expect(ftp.ftpHashes.editor.startsWith(saltFor(spec, "ftp", "editor"))).toBe(true);
    expect(web.httpHashes.viewer.startsWith(saltFor(spec, "http", "viewer"))).toBe(true);
    expect(web.secureLinkSecret).toBe(SECRET);
  });
});
