/**
 * Signing links for nginx's secure_link: the hash nginx computes, checked against vectors made
 * with openssl (`printf '%s' "<expires><uri> <secret>" | openssl md5 -binary | openssl base64 |
 * tr +/ -_ | tr -d =`), and the paths that can or cannot be signed.
 */
import { secureLinkHash, signUrl, uriOf } from "../../nginx/secureLink";

const SECRET = "a-secure-link-secret-0123";
const EXPIRES = 1_767_225_600; // 2026-01-01T00:00:00Z

describe("secureLinkHash", () => {
  test.each([
    ["/s/link", "secret", 2_147_483_647, "0Xgm37lo5nFEuHMDKl_vQg"],
    ["/videos/a.mp4", SECRET, EXPIRES, "zHG20tcMAU6clK7cycBJFQ"],
    ["/videos/my clip é.mp4", SECRET, EXPIRES, "QLntcmsSyogPKh_tFsnOig"],
  ])("hashes %s like openssl: base64url of the binary MD5, no padding", (uri, secret, expires, md5) => {
    expect(secureLinkHash(uri, secret, expires)).toBe(md5);
  });
});

describe("signUrl", () => {
  it("appends md5 and expires to the path", () => {
    expect(signUrl("/videos/a.mp4", SECRET, EXPIRES)).toBe(
      "/videos/a.mp4?md5=zHG20tcMAU6clK7cycBJFQ&expires=1767225600",
    );
  });

  it.each([
    ["a raw path", "/videos/my clip é.mp4"],
    ["a percent-encoded path", "/videos/my%20clip%20%C3%A9.mp4"],
  ])("signs the decoded path nginx checks and percent-encodes it in the URL, given %s", (_, path) => {
    expect(signUrl(path, SECRET, EXPIRES)).toBe(
      "/videos/my%20clip%20%C3%A9.mp4?md5=QLntcmsSyogPKh_tFsnOig&expires=1767225600",
    );
  });

  it("gives a different signature for another path, expiry or secret", () => {
    const md5 = (url: string) => new URL(url, "http://x").searchParams.get("md5");
    const reference = md5(signUrl("/videos/a.mp4", SECRET, EXPIRES));
    expect(md5(signUrl("/videos/b.mp4", SECRET, EXPIRES))).not.toBe(reference);
    expect(md5(signUrl("/videos/a.mp4", SECRET, EXPIRES + 1))).not.toBe(reference);
    expect(md5(signUrl("/videos/a.mp4", `${SECRET}x`, EXPIRES))).not.toBe(reference);
  });

  test.each([
    ["videos/a.mp4", "must start with '/'"],
    ["/videos/a.mp4?start=1", "must not contain '?' or '#'"],
    ["/videos/a.mp4#t=1", "must not contain '?' or '#'"],
    ["/videos/", "is a folder; sign the URL of a file"],
    ["/videos//a.mp4", "has an empty, '.' or '..' segment"],
    ["/videos/../etc/a.mp4", "has an empty, '.' or '..' segment"],
    ["/videos/./a.mp4", "has an empty, '.' or '..' segment"],
    ["/videos/%2e%2e/a.mp4", "has an empty, '.' or '..' segment"],
    ["/videos/%zz.mp4", "not a valid percent-encoded UTF-8 sequence"],
    ["/videos/a%0a.mp4", "contains a control character"],
  ])("refuses the path %j: %s", (path, message) => {
    expect(() => uriOf(path)).toThrow(message);
    expect(() => signUrl(path, SECRET, EXPIRES)).toThrow(message);
  });

  test.each([
    ["a secret nginx.conf could not hold", "short", EXPIRES, "secret must be http.secureLinkSecret"],
    ["a secret with a quote", 'a-long-secret-with"quote', EXPIRES, "secret must be http.secureLinkSecret"],
    ["a negative expiry", SECRET, -1, "expires must be a whole number of seconds"],
    ["a fractional expiry", SECRET, 1.5, "expires must be a whole number of seconds"],
  ])("refuses %s", (_, secret, expires, message) => {
    expect(() => signUrl("/videos/a.mp4", secret, expires)).toThrow(message);
  });
});
