/**
 * The tier's own instruments: the nginx.conf reader splits words as nginx does, and the
 * injection check flags a value that breaks out of its place (so the properties can fail).
 */
import type { ContainerFile } from "../../spec";
import { NginxSyntaxError, parseNginxConf, tokenize } from "./nginxSyntax";
import { compareRenderings } from "./renderedFiles";

const words = (text: string) => tokenize(text).map((t) => (t.kind === "word" ? t.text : t.kind));

describe("the nginx.conf reader", () => {
  it.each([
    ["server_name a.example.com;", ["server_name", "a.example.com", ";"]],
    ['add_header X "a; b" always;', ["add_header", "X", '"a; b"', "always", ";"]],
    ["alias /srv/a\\ b/;", ["alias", "/srv/a\\ b/", ";"]],
    ['if ($x = "") { return 403; }', ["if", "($x", "=", '"")', "{", "return", "403", ";", "}"]],
    ["set $v ${host}x; # comment ; {", ["set", "$v", "${host}x", ";"]],
    ["return 200 a#b}c;", ["return", "200", "a#b}c", ";"]],
  ])("splits %j into nginx's words", (text, expected) => {
    expect(words(text)).toEqual(expected);
  });

  it.each([
    "location / { return 404;",
    "return 404; }",
    "server_name a",
    'add_header X "open;',
    "; listen 80;",
  ])("refuses the malformed %j", (text) => {
    expect(() => parseNginxConf(text)).toThrow(NginxSyntaxError);
  });

  it("nests blocks", () => {
    const [http] = parseNginxConf("http { server { listen 80; } }");
    expect(http.block?.[0].block?.[0]).toMatchObject({ name: "listen", args: ["80"] });
  });
});

describe("the injection check", () => {
  const nginx = (serverName: string): ContainerFile[] => [
    {
      file: "/etc/nginx/nginx.conf",
      content: `http {\n    server {\n        server_name ${serverName};\n    }\n}\n`,
      permissions: "0644",
    },
  ];
  const vsftpd = (address: string): ContainerFile[] => [
    { file: "/etc/vsftpd.conf", content: `listen=YES\npasv_address=${address}\n`, permissions: "0644" },
  ];

  it("accepts a value that takes exactly the canary's place", () => {
    expect(
      compareRenderings(nginx("zq.example"), nginx("media.example.com"), "zq.example", "media.example.com"),
    ).toEqual([]);
    expect(compareRenderings(vsftpd("192.0.2.1"), vsftpd("203.0.113.9"), "192.0.2.1", "203.0.113.9")).toEqual(
      [],
    );
  });

  it.each([
    ["a directive after ';'", "a.example; return 301 http://evil"],
    ["a block closed by '}'", "a.example; } server { listen 81"],
    ["an nginx variable", "$host"],
    ["a quote", 'a"b'],
  ])("flags %s in an nginx word", (_, value) => {
    expect(compareRenderings(nginx("zq.example"), nginx(value), "zq.example", value)).not.toEqual([]);
  });

  it("flags a second vsftpd line after a newline", () => {
    const value = "203.0.113.9\nanonymous_enable=YES";
    expect(compareRenderings(vsftpd("192.0.2.1"), vsftpd(value), "192.0.2.1", value)).not.toEqual([]);
  });

  it("flags a file that changed beyond the value", () => {
    const changed = [{ ...vsftpd("203.0.113.9")[0], content: "listen=NO\npasv_address=203.0.113.9\n" }];
    expect(compareRenderings(vsftpd("192.0.2.1"), changed, "192.0.2.1", "203.0.113.9")).not.toEqual([]);
  });
});
