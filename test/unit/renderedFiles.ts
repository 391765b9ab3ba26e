/**
 * Every file the containers receive for a stack config (containerFiles/ with the
 * container layouts, as the components call it), and the check that a config value lands only
 * where a harmless stand-in value (the canary) lands, never breaking out of its directive.
 */
import {
  EDGE_CONTAINER_LAYOUT,
  FTP_CONTAINER_LAYOUT,
  WEB_CONTAINER_LAYOUT,
  WORKER_CONTAINER_LAYOUT,
  SFTP_CONTAINER_LAYOUT,
  type ContainerFile,
} from "../../spec";

const GENERATED_HOST_KEY =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nR0VORVJBVEVELUhPU1QtS0VZ\n-----END OPENSSH PRIVATE KEY-----\n";
import type { ParsedConfig } from "../../spec";
import { containerSecrets, edgeContainerFiles, sftpContainerFiles } from "../../containerFiles";
import { ftpPasswords, serverFiles } from "../support/files";
import { parseNginxConf, type Directive } from "./nginxSyntax";

/** Users without a configured password get the services tier's stand-in for the generated one. */
export function renderFiles(parsed: ParsedConfig): ContainerFile[] {
  const { ftp, web, worker } = serverFiles(
    parsed,
    FTP_CONTAINER_LAYOUT,
    WEB_CONTAINER_LAYOUT,
    WORKER_CONTAINER_LAYOUT,
  );
  const hashes = containerSecrets(parsed.spec, { ...parsed.secrets, ftpPasswords: ftpPasswords(parsed) });
  const sftp =
    parsed.spec.sftp === undefined
      ? []
      : sftpContainerFiles(parsed.spec, SFTP_CONTAINER_LAYOUT, {
          ftpHashes: hashes.ftp.ftpHashes,
          // The generated key is the program's; a fixed stand-in is as good here.
          hostKey: parsed.secrets.sftpHostKey ?? GENERATED_HOST_KEY,
        });
  const { edge } = parsed.spec;
  const edges =
    edge === undefined ? [] : edgeContainerFiles(parsed.spec, edge, EDGE_CONTAINER_LAYOUT, hashes.web);
  return [...ftp, ...web, ...worker, ...sftp, ...edges];
}

/** bcrypt output changes with the salt, which is derived from the user name. */
export const BCRYPT = /\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/g;
const withoutHashes = (text: string) => text.replace(BCRYPT, "<bcrypt>");
const replaceAll = (text: string, from: string, to: string) =>
  from === to ? text : text.split(from).join(to);

/** Characters nginx gives a meaning inside a word: variables, escapes, quotes, separators. */
const NGINX_SPECIAL = /[\s;{}#"'\\$]/;
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

type FileKind = "nginx" | "vsftpd" | "folders" | "passwords" | "text";

function kindOf(file: string): FileKind {
  if (file === WEB_CONTAINER_LAYOUT.configFile) return "nginx";
  if (file === FTP_CONTAINER_LAYOUT.configFile || file.startsWith(`${FTP_CONTAINER_LAYOUT.userConfigDir}/`))
    return "vsftpd";
  if (file === FTP_CONTAINER_LAYOUT.folderListFile) return "folders";
  if (file === FTP_CONTAINER_LAYOUT.passwordFile || file === WEB_CONTAINER_LAYOUT.htpasswdFile)
    return "passwords";
  return "text";
}

/** Where a value may sit in a word: literal text, never a regex, a variable or an escape. */
function wordProblems(word: string, regex: boolean, from: string, to: string, at: string): string[] {
  if (!word.includes(from)) return [];
  if (regex) return [`${at}: the value sits in a regular expression`];
  if (NGINX_SPECIAL.test(to) || CONTROL.test(to))
    return [`${at}: ${JSON.stringify(to)} has characters nginx interprets`];
  return [];
}

/** Inside `map` the first word of each line is a source value (a regex when it starts with `~`), not a directive. */
function compareNginx(
  canary: readonly Directive[],
  actual: readonly Directive[],
  from: string,
  to: string,
  where: string,
  inMap = false,
): string[] {
  if (canary.length !== actual.length)
    return [`${where}: ${actual.length} directives where the canary gives ${canary.length}`];
  return canary.flatMap((c, i) => {
    const a = actual[i];
    const at = `${where} > ${c.name} (line ${a.line})`;
    if (!inMap && c.name.includes(from)) return [`${at}: the value is a directive name`];
    if (a.args.length !== c.args.length || Boolean(a.block) !== Boolean(c.block)) {
      return [`${at}: became '${a.name} ${a.args.join(" ")}'`];
    }
    const isRegex = (word: string, k: number) =>
      /^"?~/.test(word) ||
      c.args.slice(0, k).some((prev) => prev.startsWith("~")) ||
      ["if", "rewrite"].includes(c.name);
    const problems = [
      ...(inMap ? wordProblems(c.name, isRegex(c.name, 0), from, to, at) : []),
      ...c.args.flatMap((arg, k) => wordProblems(arg, !inMap && isRegex(arg, k), from, to, at)),
    ];
    return [
      ...problems,
      ...(c.block && a.block ? compareNginx(c.block, a.block, from, to, at, c.name === "map") : []),
    ];
  });
}

const lines = (text: string) => text.split("\n");

function compareLines(
  kind: "vsftpd" | "folders" | "passwords",
  canary: string,
  actual: string,
  to: string,
  file: string,
): string[] {
  const a = lines(actual);
  if (a.length !== lines(canary).length)
    return [`${file}: ${a.length} lines where the canary gives ${lines(canary).length}`];
  const shape = {
    vsftpd: /^(#.*|[a-z0-9_]+=.*|)$/,
    folders: /^((chroot|writable) \S+|)$/,
    passwords: /^([^:\s]+:<bcrypt>|)$/,
  }[kind];
  const bad = a.filter((l) => !shape.test(l));
  if (bad.length > 0) return [`${file}: lines outside the file's grammar: ${JSON.stringify(bad)}`];
  return CONTROL.test(to) ? [`${file}: ${JSON.stringify(to)} has control characters`] : [];
}

/**
 * Problems with `actual` (rendered with value `to`) against `canary` (rendered with `from`):
 * the two must be the same files, byte for byte, once every `from` is replaced by `to`
 * (bcrypt hashes aside), and each occurrence must stay inside one word or value of its file.
 */
export function compareRenderings(
  canary: readonly ContainerFile[],
  actual: readonly ContainerFile[],
  from: string,
  to: string,
): string[] {
  if (from === "" && to !== "")
    throw new Error("compareRenderings: an empty canary can only stand for the empty string");
  const expectedNames = canary.map((f) => replaceAll(f.file, from, to));
  const names = actual.map((f) => f.file);
  if (JSON.stringify(names) !== JSON.stringify(expectedNames)) {
    return [`files ${JSON.stringify(names)}, expected ${JSON.stringify(expectedNames)}`];
  }
  return canary.flatMap((c, i) => {
    const a = actual[i];
    const canaryText = withoutHashes(c.content);
    const actualText = withoutHashes(a.content);
    if (a.permissions !== c.permissions)
      return [`${a.file}: mode ${a.permissions}, expected ${c.permissions}`];
    if (actualText !== replaceAll(canaryText, from, to)) {
      const k = [...actualText].findIndex((ch, j) => ch !== replaceAll(canaryText, from, to)[j]);
      return [
        `${a.file}: differs from the canary's file beyond the value, near ${JSON.stringify(actualText.slice(Math.max(0, k - 40), k + 40))}`,
      ];
    }
    if (from === to || !canaryText.includes(from)) return [];
    const kind = kindOf(c.file);
    // PEM files hold the value alone; the gallery page must not take markup from it.
    if (kind === "text")
      return a.file.endsWith(".html") && /[<>&"'`]/.test(to)
        ? [`${a.file}: markup characters in the value`]
        : [];
    if (kind === "nginx") {
      try {
        return compareNginx(parseNginxConf(canaryText), parseNginxConf(actualText), from, to, a.file);
      } catch (e) {
        return [`${a.file}: ${(e as Error).message}`];
      }
    }
    return compareLines(kind, canaryText, actualText, to, a.file);
  });
}
