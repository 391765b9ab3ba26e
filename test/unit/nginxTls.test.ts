/**
 * HTTPS in nginx.conf for each http.tls mode, and the key and certificate files the web
 * container gets. The services tier serves these with real nginx and scans them.
 */
import { webContainerFiles } from "../../containerFiles";
import { renderNginxConf } from "../../nginx/conf";
import { parseSpec, TLS12_CIPHERS as TLS_CIPHERS, WEB_CONTAINER_LAYOUT as LAYOUT } from "../../spec";
import { PROJECT, type StackConfig } from "../support/project";
import { threeUserConfig, withValue } from "../support/stacks";
import { PEM_CERTIFICATE, PEM_KEY } from "./everyField";
import { parseNginxConf, type Directive } from "./nginxSyntax";

const ctx = { project: PROJECT, stack: "prod", projectDir: "/p" };

function withTls(mode: string, extra: Record<string, unknown> = {}): StackConfig {
  let config = withValue(threeUserConfig(), "http.tls", mode);
  for (const [at, value] of Object.entries({ tlsCertificate: PEM_CERTIFICATE, tlsKey: PEM_KEY, ...extra }))
    config = withValue(config, `http.${at}`, value);
  return config;
}

const specOf = (config: StackConfig) => parseSpec(config, ctx).spec;
const confOf = (config: StackConfig) => renderNginxConf(specOf(config).http, LAYOUT);

/** The `server` blocks of the http block. */
function servers(conf: string): (readonly Directive[])[] {
  const http = parseNginxConf(conf).find((d) => d.name === "http");
  return (http?.block ?? []).filter((d) => d.name === "server").map((d) => d.block ?? []);
}
const args = (block: readonly Directive[], name: string) =>
  block.filter((d) => d.name === name).map((d) => d.args.join(" "));

/** Every block, at any depth, that adds a header of its own (and so inherits none). */
function headerBlocks(directives: readonly Directive[], out: (readonly Directive[])[] = []) {
  if (directives.some((d) => d.name === "add_header")) out.push(directives);
  for (const d of directives) if (d.block) headerBlocks(d.block, out);
  return out;
}

describe("http.tls off", () => {
  it("renders no ssl directive and one server on port 80 beside the status server", () => {
    const conf = confOf(threeUserConfig());
    expect(conf).not.toMatch(/ssl|http2|Strict-Transport-Security/);
    expect(servers(conf).map((s) => args(s, "listen"))).toEqual([["80"], ["127.0.0.1:8081"]]);
  });
});

describe("http.tls enabled", () => {
  const conf = confOf(withTls("enabled"));
  const [media] = servers(conf);

  it("serves the same locations on 80 and on 443 with TLS and HTTP/2", () => {
    expect(args(media, "listen")).toEqual(["80", "443 ssl"]);
    expect(args(media, "http2")).toEqual(["on"]);
    expect(servers(conf)).toHaveLength(2);
  });

  it("offers TLS 1.2 and 1.3 only, forward-secret AEAD suites, no tickets", () => {
    expect(args(media, "ssl_protocols")).toEqual(["TLSv1.2 TLSv1.3"]);
    expect(args(media, "ssl_ciphers")).toEqual([TLS_CIPHERS]);
    for (const suite of TLS_CIPHERS.split(":")) expect(suite).toMatch(/^ECDHE-(ECDSA|RSA)-.*(GCM|POLY1305)/);
    expect(args(media, "ssl_session_tickets")).toEqual(["off"]);
    expect(args(media, "ssl_certificate")).toEqual([LAYOUT.tlsCertificateFile]);
    expect(args(media, "ssl_certificate_key")).toEqual([LAYOUT.tlsKeyFile]);
  });

  it("sends no HSTS: plain HTTP still serves", () => {
    expect(conf).not.toContain("Strict-Transport-Security");
  });
});

describe("http.tls required", () => {
  const conf = confOf(withTls("required", { httpsPort: 8443 }));
  const [media, redirect] = servers(conf);

  it("serves the locations on 443 only", () => {
    expect(args(media, "listen")).toEqual(["443 ssl"]);
  });

  it("answers port 80 with a redirect to the same URL on the HTTPS port, and nothing else", () => {
    expect(args(redirect, "listen")).toEqual(["80"]);
    expect(redirect.map((d) => d.name)).toEqual(["listen", "server_name", "location"]);
    const location = redirect[2];
    expect(location.args).toEqual(["/"]);
    expect(location.block?.map((d) => [d.name, ...d.args])).toEqual([
      ["return", "301", "https://$host:8443$request_uri"],
    ]);
  });

  it("leaves the port out of the redirect when HTTPS is on 443", () => {
    expect(confOf(withTls("required"))).toContain("return 301 https://$host$request_uri;");
  });

  it("sends HSTS from every block that adds headers, with the default max-age of a year", () => {
    const blocks = headerBlocks(media);
    // The server, the gallery page and listings, and the three media locations.
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const b of blocks)
      expect(args(b, "add_header")).toContain('Strict-Transport-Security "max-age=31536000" always');
  });

  it("takes http.hstsMaxAge, and 0 sends no header", () => {
    expect(confOf(withTls("required", { hstsMaxAge: 600 }))).toContain('"max-age=600"');
    expect(confOf(withTls("required", { hstsMaxAge: 0 }))).not.toContain("Strict-Transport-Security");
  });
});

describe("the web container's TLS files", () => {
  const files = (config: StackConfig) =>
    webContainerFiles(specOf(config), LAYOUT, {
      httpHashes: {},
      // As `pulumi config set -- "$(cat key.pem)"` stores them: without the last newline.
      tlsCertificate: PEM_CERTIFICATE.trimEnd(),
      tlsKey: PEM_KEY.trimEnd(),
    });

  it("writes the certificate world-readable and the key for root only, each ending in a newline", () => {
    const byPath = new Map(files(withTls("enabled")).map((f) => [f.file, f]));
    expect(byPath.get(LAYOUT.tlsCertificateFile)).toMatchObject({ permissions: "0644" });
    expect(byPath.get(LAYOUT.tlsKeyFile)).toMatchObject({ permissions: "0600", content: PEM_KEY });
  });

  it("writes neither with http.tls off, even when a certificate is configured", () => {
    const paths = files(threeUserConfig()).map((f) => f.file);
    expect(paths).not.toContain(LAYOUT.tlsKeyFile);
    expect(paths).not.toContain(LAYOUT.tlsCertificateFile);
  });

  it("refuses to render HTTPS without a key", () => {
    expect(() =>
      webContainerFiles(specOf(withTls("enabled")), LAYOUT, {
        httpHashes: {},
        tlsCertificate: PEM_CERTIFICATE,
      }),
    ).toThrow("http.tls is enabled but no http.tlsCertificate and http.tlsKey were given");
  });
});
