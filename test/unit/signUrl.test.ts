/** `npm run sign-url`: argument parsing (pure), the CLI's output and exit codes, and the npm script. */
import { execFile } from "node:child_process";
import { signUrl } from "../../nginx/secureLink";
import { main, type Io } from "../../scripts/signUrl";
import { parseSignUrlArgs, parseTtl, SECRET_ENV, USAGE } from "../../scripts/signUrlArgs";
import { PROJECT_DIR } from "../support/program";

const SECRET = "a-secure-link-secret-0123";
const NOW = 1_767_225_600;
const parse = (argv: string[], env: Record<string, string> = {}) => parseSignUrlArgs(argv, env, NOW);

describe("parseTtl", () => {
  test.each([
    ["90", 90],
    ["90s", 90],
    ["15m", 900],
    ["1h", 3_600],
    ["7d", 604_800],
    ["3660d", 316_224_000],
  ])("reads %s as %d seconds", (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });

  test.each(["0", "0h", "3661d", "1w", "-5m", "1.5h", "h", "", "1 h", "1H"])("refuses %j", (text) => {
    expect(parseTtl(text)).toBeUndefined();
  });
});

describe("parseSignUrlArgs", () => {
  it("signs until --expires", () => {
    expect(parse(["/videos/a.mp4", "--secret", SECRET, "--expires", String(NOW + 60)])).toEqual({
      kind: "sign",
      path: "/videos/a.mp4",
      secret: SECRET,
      expires: NOW + 60,
      baseUrl: "",
    });
  });

  it("signs for --ttl from now, with the secret from the environment and a base URL", () => {
    expect(
      parse(["--ttl", "1h", "/videos/a.mp4", "--base-url", "https://media.example.com/"], {
        [SECRET_ENV]: SECRET,
      }),
    ).toEqual({
      kind: "sign",
      path: "/videos/a.mp4",
      secret: SECRET,
      expires: NOW + 3_600,
      baseUrl: "https://media.example.com",
    });
  });

  it("prefers --secret over the environment", () => {
    expect(
      parse(["/a.mp4", "--secret", SECRET, "--ttl", "1m"], { [SECRET_ENV]: "another-secret-0123456" }),
    ).toMatchObject({ secret: SECRET });
  });

  it("asks for help with --help or -h", () => {
    expect(parse(["--help"])).toEqual({ kind: "help" });
    expect(parse(["-h"])).toEqual({ kind: "help" });
  });

  test.each<[string, string[], string]>([
    ["no path", ["--secret", SECRET, "--ttl", "1h"], "give the path to sign, such as /videos/clip.mp4"],
    ["two paths", ["/a.mp4", "/b.mp4", "--secret", SECRET, "--ttl", "1h"], "give one path, not 2"],
    [
      "a relative path",
      ["videos/a.mp4", "--secret", SECRET, "--ttl", "1h"],
      "path 'videos/a.mp4' must start with '/'",
    ],
    ["a folder", ["/videos/", "--secret", SECRET, "--ttl", "1h"], "path '/videos/' is a folder"],
    [
      "a path with a query",
      ["/videos/a.mp4?start=1", "--secret", SECRET, "--ttl", "1h"],
      "must not contain '?' or '#'",
    ],
    ["no secret", ["/a.mp4", "--ttl", "1h"], `--secret is required (or set ${SECRET_ENV})`],
    ["an empty secret", ["/a.mp4", "--secret", "", "--ttl", "1h"], "--secret is required"],
    [
      "a secret nginx could not hold",
      ["/a.mp4", "--secret", "short", "--ttl", "1h"],
      "--secret does not look like an http.secureLinkSecret",
    ],
    [
      "an expiry in the past",
      ["/a.mp4", "--secret", SECRET, "--expires", String(NOW - 1)],
      `--expires ${NOW - 1} is in the past (now is ${NOW})`,
    ],
    ["an expiry of now", ["/a.mp4", "--secret", SECRET, "--expires", String(NOW)], "is in the past"],
    [
      "an expiry that is no number",
      ["/a.mp4", "--secret", SECRET, "--expires", "tomorrow"],
      "--expires 'tomorrow' must be a unix time in seconds",
    ],
    [
      "a date as expiry",
      ["/a.mp4", "--secret", SECRET, "--expires", "2026-01-01"],
      "must be a unix time in seconds",
    ],
    [
      "both --expires and --ttl",
      ["/a.mp4", "--secret", SECRET, "--expires", String(NOW + 9), "--ttl", "1h"],
      "give --expires or --ttl, not both",
    ],
    [
      "neither --expires nor --ttl",
      ["/a.mp4", "--secret", SECRET],
      "--expires <unix time> or --ttl <duration> is required",
    ],
    [
      "a bad ttl unit",
      ["/a.mp4", "--secret", SECRET, "--ttl", "1w"],
      "--ttl '1w' must be a duration such as 90, 90s, 15m, 12h or 7d",
    ],
    ["a zero ttl", ["/a.mp4", "--secret", SECRET, "--ttl", "0m"], "--ttl '0m' must be a duration"],
    [
      "an unknown option",
      ["/a.mp4", "--secret", SECRET, "--ttl", "1h", "--sceret", "x"],
      "Unknown option '--sceret'",
    ],
    [
      "a base URL with a path",
      ["/a.mp4", "--secret", SECRET, "--ttl", "1h", "--base-url", "https://h/x"],
      "--base-url 'https://h/x' must be a scheme and host",
    ],
  ])("refuses %s with a message that says what to fix", (_, argv, message) => {
    const parsed = parse(argv);
    expect(parsed.kind).toBe("error");
    expect(parsed.kind === "error" ? parsed.message : "").toContain(message);
  });
});

describe("main", () => {
  const run = (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l) };
    return { code: main(argv, io, {}, NOW), out, err };
  };

  it("prints the signed URL and exits 0", () => {
    const result = run([
      "/videos/a.mp4",
      "--secret",
      SECRET,
      "--ttl",
      "1h",
      "--base-url",
      "http://127.0.0.1:8080",
    ]);
    expect(result).toEqual({
      code: 0,
      out: [`http://127.0.0.1:8080${signUrl("/videos/a.mp4", SECRET, NOW + 3600)}`],
      err: [],
    });
  });

  it("prints the problem and the usage to stderr and exits 2", () => {
    const result = run(["/videos/a.mp4", "--secret", SECRET, "--expires", "1"]);
    expect(result.code).toBe(2);
    expect(result.out).toEqual([]);
    expect(result.err).toEqual([
      `sign-url: --expires 1 is in the past (now is ${NOW}); nginx would answer 410 Gone\n${USAGE}`,
    ]);
  });

  it("prints the usage for --help and exits 0", () => {
    expect(run(["--help"])).toEqual({ code: 0, out: [USAGE], err: [] });
  });
});

describe("npm run sign-url", () => {
  it("prints the same URL as signUrl for the same path, secret and expiry", async () => {
    const expires = Math.floor(Date.now() / 1000) + 86_400;
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        "npm",
        [
          "run",
          "--silent",
          "sign-url",
          "--",
          "/videos/a.mp4",
          "--secret",
          SECRET,
          "--expires",
          String(expires),
        ],
        // Within the unit tier's limit per test: a hung child is killed, not waited for.
        { cwd: PROJECT_DIR, timeout: 4_500 },
        (error, out) => (error ? reject(error) : resolve(out)),
      );
    });
    expect(stdout).toBe(`${signUrl("/videos/a.mp4", SECRET, expires)}\n`);
  });
});
