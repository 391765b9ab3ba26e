/**
 * The image's static files (nginx/static/): the committed hls.js is the installed package's build,
 * and the hash and version the renderers use are that file's, so an `npm update` that is not
 * copied over fails here instead of serving a script the page's CSP refuses.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { WEB_CONTAINER_LAYOUT } from "../../spec";
import { HLS_JS_FILE } from "../../nginx/gallery";
import { HLS_JS_SHA256, HLS_JS_VERSION } from "../../nginx/static/hls";
import { PROJECT_DIR } from "../support/project";

const PACKAGE_DIR = path.join(PROJECT_DIR, "node_modules", "hls.js");
const installed = fs.readFileSync(path.join(PACKAGE_DIR, "dist", "hls.min.js"));
const copy = fs.readFileSync(path.join(PROJECT_DIR, "nginx", "static", HLS_JS_FILE));
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("nginx/static/hls.min.js", () => {
  it("is node_modules/hls.js/dist/hls.min.js byte for byte (after an update: copy it again)", () => {
    expect(sha256(copy)).toBe(sha256(installed));
  });

  it("has the sha256 nginx/static/hls.ts gives the renderers", () => {
    expect(HLS_JS_SHA256).toBe(sha256(copy));
  });

  it("is the installed version of hls.js, as nginx/static/hls.ts says", () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8"));
    expect(HLS_JS_VERSION).toBe(version);
  });

  it("is copied into the web image at the layout's staticDir", () => {
    const dockerfile = fs.readFileSync(path.join(PROJECT_DIR, "nginx", "Dockerfile"), "utf8");
    expect(dockerfile).toContain(
      `\nCOPY static/${HLS_JS_FILE} ${WEB_CONTAINER_LAYOUT.staticDir}/${HLS_JS_FILE}\n`,
    );
  });
});
