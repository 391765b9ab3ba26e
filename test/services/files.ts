/**
 * The files the containers receive (containerFiles/, the very functions the components call),
 * rendered for the host layouts and written to disk with the same modes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { FtpLayout, ContainerFile, WebLayout } from "../../spec";
import { containerSecrets, ftpContainerFiles, webContainerFiles } from "../../containerFiles";
import type { ConfiguredSecrets, Spec } from "../../spec";

/** `ftpPasswords` must hold every FTP user: the harness fills in the ones the program would generate. */
export function serverFiles(
  spec: Spec,
  secrets: ConfiguredSecrets,
  ftpLayout: FtpLayout,
  webLayout: WebLayout,
): { ftp: ContainerFile[]; web: ContainerFile[] } {
  const hashed = containerSecrets(spec, secrets);
  return {
    ftp: ftpContainerFiles(spec, ftpLayout, hashed.ftp),
    web: webContainerFiles(spec, webLayout, hashed.web),
  };
}

/** Writes the files; each must be one of `allowedFiles` or lie under one of `allowedDirs`. */
export function writeServerFiles(
  files: readonly ContainerFile[],
  allowed: { readonly dirs: readonly string[]; readonly files: readonly string[] },
): void {
  for (const f of files) {
    const inside = allowed.files.includes(f.file) || allowed.dirs.some((d) => f.file.startsWith(`${d}/`));
    if (!inside)
      throw new Error(`refusing to write ${f.file} on the host: test/services/layout.ts does not map it`);
  }
  for (const f of files) {
    const mode = parseInt(f.permissions, 8);
    fs.mkdirSync(path.dirname(f.file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(f.file, f.content, { mode });
    fs.chmodSync(f.file, mode);
  }
}
