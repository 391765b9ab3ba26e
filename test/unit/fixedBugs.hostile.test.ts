/**
 * Bugs the hostile cases found in the config's validation, now fixed: each test states what
 * users need, so a regression turns it red.
 */
import { programFailure, type StackConfig } from "../support/program";
import { parseConfig, withValue } from "../support/stacks";
import { INJECTION_BASE } from "./stringFields";

const parse = (config: StackConfig) => () => parseConfig(config);

describe("bugs the hostile cases found, fixed", () => {
  // vsftpd reads pasv_address with inet_aton when pasv_addr_resolve=NO, which the renderer sets
  // for anything made of digits and dots. Seen on vsftpd 3.0.3: PASV announces 0 as 0.0.0.0,
  // 1.2.3 as 1.2.0.3, 10.0.0.010 as 10.0.0.8 (octal), and 999.1.1.1 ends the session with
  // "500 OOPS: invalid pasv_address".
  it.each(["0", "1.2.3", "10.0.0.010", "999.1.1.1"])(
    "refuses ftp.passiveAddress %s: digits and dots that are no IPv4 address",
    (address) => {
      expect(parse(withValue(INJECTION_BASE, "ftp.passiveAddress", address))).toThrow(
        "ftp.passiveAddress: must be an IPv4 address or a host name",
      );
    },
  );

  // isCidr takes what node:net isIP takes; nginx 1.22 refuses both in allow/deny
  // (`[emerg] invalid parameter "fe80::1%eth0"`), so the web container never started.
  it.each(["fe80::1%eth0", "fe80::1%eth0/64", "1:2:3:4:5:6:7::", "0:0:0:0:0:0:0::/64"])(
    "refuses http.locations[].allow %s, which nginx cannot read",
    (entry) => {
      expect(parse(withValue(INJECTION_BASE, "http.locations.0.allow", [entry]))).toThrow(
        "http.locations[0].allow[0]: must be an IP address or CIDR",
      );
    },
  );

  // PATTERNS.sshHost allows any run of [A-Za-z0-9.-] as the host: a leading '-' (read as an
  // option by tools that take the host as an argument), empty labels, '..'.
  it.each(["ssh://deploy@-oProxyCommand", "ssh://deploy@..", "ssh://deploy@media..example.com"])(
    "refuses target.dockerHost %s: no host name or address",
    (host) => {
      expect(parse(withValue(INJECTION_BASE, "target.dockerHost", host))).toThrow(
        "target.dockerHost: must be unix:///path/to/docker.sock or ssh://user@host[:port]",
      );
    },
  );

  // components/config.ts reads only the keys it knows; `pulumi config set ftp.port 2121`
  // without --path makes the key `video-server:ftp.port`, which is silently ignored.
  it("refuses a config key the program does not read, such as ftp.port set without --path, with the other problems", async () => {
    const config = { ...withValue(INJECTION_BASE, "http.port", 21), "ftp.port": 2121, htpp: {} };
    const failed = await programFailure(config, { stack: "hostile" });
    expect(failed.message.split("\n").filter((l) => l.startsWith("  - "))).toEqual([
      "  - ftp.port: not a config key; to set a field, use `pulumi config set --path ftp.port <value>` (and remove this key)",
      "  - htpp: not a config key (known: name, sshPrivateKey, target, media, ftp, http, sftp, processing, edge, images)",
      "  - http.port: 21 is also ftp.port",
    ]);
    expect(failed.resources).toHaveLength(0);
  });
});
