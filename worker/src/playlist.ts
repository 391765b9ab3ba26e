/**
 * HLS playlists as ffmpeg writes them, without I/O: the variants of a master playlist, the
 * master rewritten to point into a version folder, and the files a playlist refers to.
 */

export interface Variant {
  readonly uri: string;
  /** Bits per second (the peak, as BANDWIDTH says). */
  readonly bandwidth: number;
  readonly width: number;
  readonly height: number;
}

const STREAM_INF = "#EXT-X-STREAM-INF:";
/** `URI="…"` in a tag (EXT-X-MAP's init segment, EXT-X-MEDIA's rendition). */
const URI_ATTRIBUTE = /URI="([^"]*)"/g;

/** Every variant of a master playlist, in its order; throws on one without size or bandwidth. */
export function parseMaster(text: string): Variant[] {
  const lines = text.split(/\r?\n/);
  const variants: Variant[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith(STREAM_INF)) return;
    const attributes = attributesOf(line.slice(STREAM_INF.length));
    const uri = lines.slice(i + 1).find((l) => l.trim() !== "" && !l.startsWith("#"));
    const size = /^(\d+)x(\d+)$/.exec(attributes.get("RESOLUTION") ?? "");
    const bandwidth = Number(attributes.get("BANDWIDTH"));
    if (uri === undefined || size === null || !Number.isInteger(bandwidth) || bandwidth <= 0) {
      throw new Error(`a variant of the master playlist has no URI, RESOLUTION or BANDWIDTH: ${line}`);
    }
    variants.push({ uri: uri.trim(), bandwidth, width: Number(size[1]), height: Number(size[2]) });
  });
  if (variants.length === 0) throw new Error("the master playlist lists no variant");
  return variants;
}

/**
 * ffmpeg's master playlist (URIs relative to the version folder) as the stable master beside
 * the version folders: each URI prefixed with `<version>/`, every attribute kept.
 */
export function rewriteMaster(text: string, version: string): string {
  return text
    .split("\n")
    .map((line) => {
      if (line.startsWith("#"))
        return line.replace(URI_ATTRIBUTE, (_, uri: string) => `URI="${inside(version, uri)}"`);
      return line.trim() === "" ? line : inside(version, line.trim());
    })
    .join("\n");
}

/** The URIs a playlist refers to (segments, init segments, variants), as written. */
export function urisOf(text: string): string[] {
  return text.split(/\r?\n/).flatMap((line) => {
    if (line.startsWith("#")) return [...line.matchAll(URI_ATTRIBUTE)].map((m) => m[1]);
    return line.trim() === "" ? [] : [line.trim()];
  });
}

/** The version folder a master playlist written by rewriteMaster points into, or null. */
export function versionOfMaster(text: string): string | null {
  const uris = urisOf(text);
  const first = uris[0]?.split("/")[0];
  return first !== undefined && uris.every((u) => u.startsWith(`${first}/`)) ? first : null;
}

/** A relative path below the folder it is in: ffmpeg writes nothing else, and nothing else is served. */
export function checkRelative(uri: string): string {
  if (
    uri === "" ||
    uri.startsWith("/") ||
    uri.includes(":") ||
    uri.split("/").some((s) => s === ".." || s === "")
  ) {
    throw new Error(`a playlist refers to ${JSON.stringify(uri)}, not a file beside it`);
  }
  return uri;
}

function inside(version: string, uri: string): string {
  return `${version}/${checkRelative(uri)}`;
}

/** An attribute list (`A=1,B="x,y"`) by name; quoted values without their quotes. */
function attributesOf(list: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const m of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    attributes.set(m[1], m[2].startsWith('"') ? m[2].slice(1, -1) : m[2]);
  }
  return attributes;
}
