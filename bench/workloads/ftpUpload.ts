/**
 * Workload 4: FTP uploads through the generated vsftpd (curl -T, passive mode), one large file and
 * several at once, with vsftpd's CPU per GB received. Its peers (pure-ftpd, proftpd) have a
 * benchmark of their own: `npm run bench:ftp-peers` (bench/README.md says why).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FTP_USER, type BenchEnv } from "../env";
import { makeFile } from "../media";
import { rounds, toResults } from "../measure";
import { W, type Result } from "../report";
import { cpuFigures } from "../stats";
import { ftpUploads, type FtpTarget } from "../transfers";

export async function ftpUpload(env: BenchEnv): Promise<Result[]> {
  const { profile, stack } = env;
  const ftp: FtpTarget = { port: stack.ftpPort, user: FTP_USER, password: stack.passwords[FTP_USER] };
  const upload = async (label: string, uploads: number, bytes: number) => {
    const source = path.join(env.tmp, `${label}.bin`);
    makeFile(source, bytes);
    const measure = async (_variant: unknown, run: number) => {
      const remote = Array.from({ length: uploads }, (_, k) => `/videos/${label}-${run}-${k}.mp4`);
      try {
        const before = env.ftpCpu();
        const throughput = await ftpUploads(ftp, source, remote, bytes);
        const { cpu_s_per_gb } = cpuFigures(env.ftpCpu() - before, bytes * uploads, uploads);
        return { throughput, cpu_s_per_gb };
      } finally {
        // Uploads leave the media folder at once: they would fill the page cache run after run.
        for (const r of remote) fs.rmSync(path.join(env.media, r), { force: true });
      }
    };
    const collected = await rounds(
      `FTP upload, ${uploads} × ${bytes / 2 ** 20} MiB`,
      profile.runs,
      ["generated"],
      env.log,
      measure,
    );
    fs.rmSync(source);
    return collected;
  };
  const units = { throughput: "MB/s", cpu_s_per_gb: "s/GB" };
  const one = toResults(W.ftp1, await upload("upload", 1, profile.ftpUploadBytes), units);
  const many = toResults(
    W.ftp10,
    await upload("concurrent", profile.ftpConcurrentUploads, profile.ftpConcurrentBytes),
    units,
  );
  return [...one, ...many];
}
