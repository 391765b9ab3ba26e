// nginx hashes `$uri`, the path after percent-decoding and normalisation, so the hash here is taken
// over the decoded path and the URL carries it percent-encoded.
import { createHash } from "node:crypto";
import { PATTERNS } from "../spec";
import { block } from "./block";

export function secureLinkLines(secret: string): string[] {
  return [
    "secure_link $arg_md5,$arg_expires;",
    // The spec module allow-lists the secret's characters: none can end the quoted string.
    `secure_link_md5 "$secure_link_expires$uri ${secret}";`,
    ...block('if ($secure_link = "")', ["return 403;"]),
    ...block('if ($secure_link = "0")', ["return 410;"]),
  ];
}

export class SignUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignUrlError";
  }
}

export function uriOf(urlPath: string): string {
  if (!urlPath.startsWith("/"))
    throw new SignUrlError(`path '${urlPath}' must start with '/', such as /videos/clip.mp4`);
  if (/[?#]/.test(urlPath))
    throw new SignUrlError(`path '${urlPath}' must not contain '?' or '#': give the path only`);
  let uri: string;
  try {
    uri = decodeURIComponent(urlPath);
  } catch {
    throw new SignUrlError(`path '${urlPath}' has a '%' that is not a valid percent-encoded UTF-8 sequence`);
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\x00-\x1f\x7f]/.test(uri)) throw new SignUrlError(`path '${urlPath}' contains a control character`);
  if (uri.endsWith("/")) throw new SignUrlError(`path '${urlPath}' is a folder; sign the URL of a file`);
  if (uri.includes("//") || uri.split("/").some((s) => s === "." || s === "..")) {
    throw new SignUrlError(
      `path '${urlPath}' has an empty, '.' or '..' segment; nginx would change it before checking`,
    );
  }
  return uri;
}

export function secureLinkHash(uri: string, secret: string, expiresUnix: number): string {
  return createHash("md5").update(`${expiresUnix}${uri} ${secret}`, "utf8").digest("base64url");
}

/** `expiresUnix` is in seconds since the epoch; docs/delivery.md shows the call. */
export function signUrl(path: string, secret: string, expiresUnix: number): string {
  const uri = uriOf(path);
  if (!PATTERNS.secret.test(secret)) {
    throw new SignUrlError(
      "secret must be http.secureLinkSecret: 16–256 characters from A-Z a-z 0-9 _ . ~ + / = -",
    );
  }
  if (!Number.isSafeInteger(expiresUnix) || expiresUnix < 0) {
    throw new SignUrlError(`expires must be a whole number of seconds since 1970, not ${expiresUnix}`);
  }
  const encoded = uri.split("/").map(encodeURIComponent).join("/");
  return `${encoded}?md5=${secureLinkHash(uri, secret, expiresUnix)}&expires=${expiresUnix}`;
}
