/**
 * The documentation's links hold: every relative Markdown link in README.md, CHANGELOG.md,
 * bench/README.md and docs/*.md points at a file that exists, and a `#anchor` at a heading that
 * file has (GitHub's slugs). README.md stays short enough to read at a glance.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const README_MAX_LINES = 200;

interface Link {
  /** The linking file, relative to the repository root. */
  readonly source: string;
  readonly text: string;
  readonly target: string;
  readonly line: number;
}

function documentationFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => path.join("docs", name));
  return ["README.md", "CHANGELOG.md", path.join("bench", "README.md"), ...docs];
}

/** The file's lines with fenced code blocks blanked, so their contents are neither links nor headings. */
function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split("\n").map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      if (marker !== undefined) {
        fence = marker;
        return "";
      }
      return line;
    }
    if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
    return "";
  });
}

/** Brackets and parentheses inside inline code neutralised: `[x](y)` in backticks is text, not a link. */
function withoutInlineCode(line: string): string {
  return line.replace(/(`+)[\s\S]*?\1/g, (span) => span.replace(/[[\]()]/g, "_"));
}

/** GitHub's heading slug: lowercase, punctuation but hyphens and spaces dropped, spaces → hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/** The heading text as rendered: link syntax reduced to its text (slug() drops code and emphasis marks). */
function headingText(raw: string): string {
  return raw.replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1");
}

/** Every anchor the file's headings get on GitHub; repeated headings get -1, -2, … as there. */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(fs.readFileSync(file, "utf8"))) {
    const match = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (match === null) continue;
    const base = slug(headingText(match[1]));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function isExternal(target: string): boolean {
  return /^(https?:|mailto:)/i.test(target);
}

/** `[text](target)` or `![alt](target)`, with an optional `<…>` around the target and a "title". */
const LINK_PATTERN = /!?\[([^\]]*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;

function linksIn(source: string): Link[] {
  const links: Link[] = [];
  proseLines(fs.readFileSync(path.join(ROOT, source), "utf8")).forEach((line, index) => {
    for (const match of withoutInlineCode(line).matchAll(LINK_PATTERN)) {
      const target = match[2];
      if (!isExternal(target)) links.push({ source, text: match[1], target, line: index + 1 });
    }
  });
  return links;
}

/** The file a link points at and its anchor, if any. */
function resolve(link: Link): { readonly file: string; readonly anchor: string | undefined } {
  const hash = link.target.indexOf("#");
  const filePart = hash === -1 ? link.target : link.target.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(link.target.slice(hash + 1));
  const source = path.join(ROOT, link.source);
  const file = filePart === "" ? source : path.resolve(path.dirname(source), decodeURI(filePart));
  return { file, anchor };
}

/** A behaviour sentence naming the link, so a failure says which one broke. */
function title(link: Link): string {
  const what = link.target.includes("#") ? "a heading that exists" : "a file that exists";
  return `${link.source}:${link.line} links [${link.text}](${link.target}) to ${what}`;
}

const LINKS = documentationFiles().flatMap((source) => linksIn(source));
const CASES = LINKS.map((link) => ({ ...link, title: title(link) }));

describe("documentation links", () => {
  test("the documentation has relative links to check", () => {
    expect(LINKS.length).toBeGreaterThan(0);
  });

  test.each(CASES)("$title", (link) => {
    const { file, anchor } = resolve(link);
    const relative = path.relative(ROOT, file);
    expect({ file: relative, exists: fs.existsSync(file) }).toEqual({ file: relative, exists: true });
    if (anchor !== undefined) {
      expect([...anchorsOf(file)]).toContain(anchor);
    }
  });
});

describe("README.md", () => {
  test(`stays at most ${README_MAX_LINES} lines long, the rest living in docs/`, () => {
    const text = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });
});
