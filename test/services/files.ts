/**
 * The files the containers receive (components/serverFiles.ts, the very function the components
 * call), rendered for the host layouts and written to disk with the same modes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FtpLayout, ServerFile, WebLayout } from "../../components/layout";
import { ftpFilesFor, webFilesFor } from "../../components/serverFiles";
import type { ConfiguredSecrets, Spec } from "../../components/spec";

/** `ftpPasswords` must hold every FTP user: the harness fills in the ones the program would generate. */
export function serverFiles(
  spec: Spec,
  secrets: ConfiguredSecrets,
  ftpLayout: FtpLayout,
  webLayout: WebLayout,
): { ftp: ServerFile[]; web: ServerFile[] } {
  return { ftp: ftpFilesFor(spec, ftpLayout, secrets), web: webFilesFor(spec, webLayout, secrets) };
}

/** Writes the files; each must be one of `allowedFiles` or lie under one of `allowedDirs`. */
export function writeServerFiles(
  files: readonly ServerFile[],
  allowed: { readonly dirs: readonly string[]; readonly files: readonly string[] },
): void {
  for (const f of files) {
    const inside = allowed.files.includes(f.file) || allowed.dirs.some((d) => f.file.startsWith(`${d}/`));
    if (!inside) throw new Error(`refusing to write ${f.file} on the host: test/services/layout.ts does not map it`);
  }
  for (const f of files) {
    const mode = parseInt(f.permissions, 8);
    fs.mkdirSync(path.dirname(f.file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(f.file, f.content, { mode });
    fs.chmodSync(f.file, mode);
  }
}
