/**
 * The files the containers receive (containerFiles/, the very functions the components call)
 * for a parsed stack config and a pair of layouts, and writing them to disk with their modes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  containerSecrets,
  ftpContainerFiles,
  webContainerFiles,
  workerContainerFiles,
} from "../../containerFiles";
import type { ContainerFile, FtpLayout, ParsedConfig, WebLayout, WorkerLayout } from "../../spec";
import { testPassword } from "./layout";

/** Every FTP user's password: the configured one, or testPassword(name) where the program would generate one. */
export function ftpPasswords({ spec, secrets }: ParsedConfig): Record<string, string> {
  return Object.fromEntries(
    spec.ftp.users.map((u) => [u.name, secrets.ftpPasswords[u.name] ?? testPassword(u.name)]),
  );
}

export function serverFiles(
  parsed: ParsedConfig,
  ftpLayout: FtpLayout,
  webLayout: WebLayout,
  workerLayout?: WorkerLayout,
): { ftp: ContainerFile[]; web: ContainerFile[]; worker: ContainerFile[] } {
  const { spec, secrets } = parsed;
  const hashed = containerSecrets(spec, { ...secrets, ftpPasswords: ftpPasswords(parsed) });
  return {
    ftp: ftpContainerFiles(spec, ftpLayout, hashed.ftp),
    web: webContainerFiles(spec, webLayout, hashed.web),
    worker: workerLayout === undefined ? [] : workerContainerFiles(spec, workerLayout, hashed.worker),
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
      throw new Error(`refusing to write ${f.file} on the host: test/support/layout.ts does not map it`);
  }
  for (const f of files) {
    const mode = parseInt(f.permissions, 8);
    fs.mkdirSync(path.dirname(f.file), { recursive: true, mode: 0o755 });
    fs.writeFileSync(f.file, f.content, { mode });
    fs.chmodSync(f.file, mode);
  }
}
