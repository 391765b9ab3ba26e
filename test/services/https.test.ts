/**
 * HTTPS on the real nginx with http.tls required and FTPS required, one self-signed
 * certificate made at test time: curl over HTTPS (HTTP/2, ranges, seeking, signed links, basic
 * auth, HSTS), plain HTTP answering only with redirects, the gallery in Chromium trusting the
 * certificate, and sslscan against both the HTTPS port and FTPS (STARTTLS).
 */
import { execFile } from "node:child_process";
import type { Page } from "playwright-core";
import { signUrl } from "../../nginx/secureLink";
import { launchChromium, type Browser } from "../support/browser";
import { curl, type CurlOptions } from "../support/curl";
import { fixture, sha256 } from "../support/data";
import { upload, withFtp } from "../support/ftp";
import { HOST } from "../support/ports";
import type { StackConfig } from "../support/project";
import { startStack, type RunningStack } from "../support/servers";
import { testCertificate } from "../support/tls";
import { DELIVERY, GALLERY_WITHOUT_WORKER, SECURE_LINK_SECRET, VIEWER } from "./deliveryStacks";

const pem = testCertificate();
const HSTS_SECONDS = 600;
/** `base` with FTPS and HTTPS required, both with the test certificate. */
const secured = (base: StackConfig): StackConfig => {
  const tls = { tls: "required", tlsCertificate: pem.certificate, tlsKey: pem.key };
  return {
    ...base,
    ftp: { ...(base.ftp as object), ...tls },
    http: { ...(base.http as object), ...tls, hstsMaxAge: HSTS_SECONDS },
  };
};
const CLIP = fixture("sample.mp4");

let stack: RunningStack;
let https: string;
const get = (urlPath: string, options: CurlOptions = {}) =>
  curl(`${https}${urlPath}`, { trust: pem.certificate, ...options });

beforeAll(async () => {
  stack = await startStack("services-https", secured(DELIVERY));
  https = `https://${HOST}:${stack.httpsPort}`;
  await withFtp(stack, "uploader", async (c) => {
    await upload(c, CLIP, "/videos/clip.mp4");
    await upload(c, CLIP, "/signed/clip.mp4");
    await upload(c, Buffer.from("for members\n"), "/members/note.txt");
  });
}, 60_000);
afterAll(() => stack?.stop());

describe("curl over HTTPS", () => {
  it("gets a video over HTTP/2 with the certificate trusted, byte for byte", async () => {
    const res = await get("/videos/clip.mp4");
    expect([res.status, res.httpVersion, res.headers["content-type"]]).toEqual([200, "2", "video/mp4"]);
    expect(sha256(res.body)).toBe(sha256(CLIP));
  });

  it("is refused by a client that does not trust the certificate", async () => {
    await expect(curl(`${https}/videos/clip.mp4`)).rejects.toThrow(/certificate/);
  });

  it("answers a range with 206 and exactly those bytes", async () => {
    const res = await get("/videos/clip.mp4", { args: ["-r", "100-1123"] });
    expect(res.status).toBe(206);
    expect(res.headers["content-range"]).toBe(`bytes 100-1123/${CLIP.length}`);
    expect(res.body.equals(CLIP.subarray(100, 1124))).toBe(true);
  });

  it("seeks with ?start: a shorter MP4 that still starts with its ftyp box", async () => {
    const res = await get("/videos/clip.mp4?start=1");
    expect(res.status).toBe(200);
    expect(res.body.length).toBeLessThan(CLIP.length);
    expect(res.body.subarray(4, 8).toString("latin1")).toBe("ftyp");
  });

  it("serves a signed link and refuses it unsigned", async () => {
    const signed = signUrl("/signed/clip.mp4", SECURE_LINK_SECRET, Math.floor(Date.now() / 1000) + 600);
    expect((await get(signed)).status).toBe(200);
    expect((await get("/signed/clip.mp4")).status).toBe(403);
  });

  it("asks for basic auth and lets the right password in", async () => {
    expect((await get("/members/note.txt")).status).toBe(401);
    const res = await get("/members/note.txt", { args: ["-u", `${VIEWER.name}:${VIEWER.password}`] });
    expect([res.status, res.body.toString()]).toEqual([200, "for members\n"]);
  });

  it("sends HSTS with http.hstsMaxAge on files, listings, refusals and the gallery", async () => {
    for (const urlPath of ["/videos/clip.mp4", "/videos/", "/members/note.txt", "/gallery/", "/nothing"]) {
      expect([urlPath, (await get(urlPath)).headers["strict-transport-security"]]).toEqual([
        urlPath,
        `max-age=${HSTS_SECONDS}`,
      ]);
    }
  });
});

describe("plain HTTP with http.tls required", () => {
  it.each(["/videos/clip.mp4", "/videos/clip.mp4?start=1", "/members/note.txt", "/gallery/"])(
    "answers %s with a 301 to the same URL over HTTPS, and no body of the file",
    async (urlPath) => {
      const res = await curl(`http://${HOST}:${stack.httpPort}${urlPath}`);
      expect(res.status).toBe(301);
      expect(res.headers.location).toBe(`${https}${urlPath}`);
      expect(res.body.includes(CLIP.subarray(0, 64))).toBe(false);
      expect(res.headers["strict-transport-security"]).toBeUndefined();
    },
  );

  it("lands on the file when the client follows the redirect", async () => {
    const res = await curl(`http://${HOST}:${stack.httpPort}/videos/clip.mp4`, {
      trust: pem.certificate,
      args: ["-L"],
    });
    expect([res.status, sha256(res.body)]).toEqual([200, sha256(CLIP)]);
  });
});

// The gallery stack lists no basic-auth location (whose listing would make Chromium ask for a password);
// without the worker, its cards are players that load metadata over HTTPS.
describe("the gallery in Chromium over HTTPS", () => {
  let gallery: RunningStack;
  let origin: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    gallery = await startStack("services-https-gallery", secured(GALLERY_WITHOUT_WORKER));
    origin = `https://${HOST}:${gallery.httpsPort}`;
    await withFtp(gallery, "uploader", (c) => upload(c, CLIP, "/videos/clip.mp4"));
    browser = await launchChromium(origin, { trust: pem.certificate });
    page = await browser.context.newPage();
    await page.goto(`${origin}/`, { timeout: 15_000 });
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15_000 });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gallery?.stop();
  });

  it("lists the video and loads its metadata over HTTPS, asking no other origin", async () => {
    expect(await page.$$eval("video", (vs) => vs.map((v) => v.getAttribute("src")))).toContain(
      "/videos/clip.mp4",
    );
    await page.waitForFunction(
      "Array.from(document.querySelectorAll('video')).every((v) => v.readyState >= 1)",
      undefined,
      { timeout: 15_000 },
    );
    expect(page.url()).toBe(`${origin}/`);
    expect(browser.blocked).toEqual([]);
  });

  it("is refused by a Chromium that does not trust the certificate", async () => {
    const untrusting = await launchChromium(origin);
    try {
      const other = await untrusting.context.newPage();
      await expect(other.goto(`${origin}/`, { timeout: 15_000 })).rejects.toThrow(/ERR_CERT/);
    } finally {
      await untrusting.close();
    }
  }, 60_000);
});

/** sslscan's findings for one server: protocols it accepts, ciphers, and renegotiation. */
interface Scan {
  readonly protocols: Readonly<Record<string, boolean>>;
  readonly ciphers: readonly { readonly protocol: string; readonly bits: number; readonly name: string }[];
  readonly renegotiation: string;
  readonly output: string;
}

async function sslscan(port: number, starttls?: "ftp"): Promise<Scan> {
  const args = ["--no-colour", ...(starttls ? [`--starttls-${starttls}`] : []), `${HOST}:${port}`];
  const output = await new Promise<string>((resolve, reject) =>
    execFile("sslscan", args, { timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`sslscan ${args.join(" ")}: ${stderr || error.message}`)) : resolve(stdout),
    ),
  );
  const protocols: Record<string, boolean> = {};
  for (const m of output.matchAll(/^(SSLv2|SSLv3|TLSv1\.[0-3])\s+(enabled|disabled)$/gm))
    protocols[m[1]] = m[2] === "enabled";
  const ciphers = [...output.matchAll(/^(?:Preferred|Accepted)\s+(\S+)\s+(\d+) bits\s+(\S+)/gm)].map((m) => ({
    protocol: m[1],
    bits: Number(m[2]),
    name: m[3],
  }));
  const renegotiation =
    /^(.*renegotiation.*)$/im.exec(output.split("TLS renegotiation:")[1] ?? "")?.[1] ?? "";
  return { protocols, ciphers, renegotiation: renegotiation.trim(), output };
}

/** Names of suites no client should be offered: broken ciphers, no authentication, no secrecy. */
const WEAK = /RC4|DES|MD5|NULL|EXP|ADH|AECDH|anon|PSK|SRP|CAMELLIA|SEED|IDEA/i;

describe.each([
  ["HTTPS", () => sslscan(stack.httpsPort)],
  ["FTPS (STARTTLS)", () => sslscan(stack.ftpPort, "ftp")],
])("sslscan against %s", (_, scan) => {
  let result: Scan;
  beforeAll(async () => {
    result = await scan();
  }, 150_000);

  it("finds TLS 1.2 and 1.3 only", () => {
    expect(result.protocols).toEqual({
      SSLv2: false,
      SSLv3: false,
      "TLSv1.0": false,
      "TLSv1.1": false,
      "TLSv1.2": true,
      "TLSv1.3": true,
    });
  });

  it("finds no weak cipher: every suite is 128 bits or more, with forward secrecy on TLS 1.2", () => {
    expect(result.ciphers.length).toBeGreaterThan(0);
    const weak = result.ciphers.filter(
      (c) => c.bits < 128 || WEAK.test(c.name) || (c.protocol === "TLSv1.2" && !/^(ECDHE|DHE)-/.test(c.name)),
    );
    expect(weak).toEqual([]);
  });

  it("finds no insecure renegotiation", () => {
    expect(result.renegotiation).not.toMatch(/insecure/i);
    expect(result.renegotiation).toMatch(/secure session renegotiation supported|not supported/i);
  });
});
