/** How big and how often: the full run (issue 7's sizes) and `--quick` (same workloads, smaller). */

const MiB = 1024 * 1024;

export interface Profile {
  readonly name: "full" | "quick";
  /** Repetitions of every figure; each reports the median of these. */
  readonly runs: number;
  readonly largeFileBytes: number;
  readonly streamFileBytes: number;
  readonly rangeBytes: number;
  readonly streamConnections: readonly number[];
  readonly imageCount: number;
  readonly imageBytes: number;
  /** Seconds of each wrk run. */
  readonly wrkSeconds: number;
  readonly smallFileConnections: number;
  readonly ftpUploadBytes: number;
  readonly ftpConcurrentUploads: number;
  readonly ftpConcurrentBytes: number;
  readonly visibleFileBytes: number;
  readonly programUsers: readonly number[];
  readonly programLocations: readonly number[];
  /** Users hashed per bcrypt measurement. */
  readonly hashUsers: number;
}

export const FULL: Profile = {
  name: "full",
  runs: 5,
  largeFileBytes: 1024 * MiB,
  streamFileBytes: 200 * MiB,
  rangeBytes: MiB,
  streamConnections: [100, 500, 1000],
  imageCount: 10_000,
  imageBytes: 50 * 1024,
  wrkSeconds: 8,
  smallFileConnections: 100,
  ftpUploadBytes: 1024 * MiB,
  ftpConcurrentUploads: 10,
  ftpConcurrentBytes: 100 * MiB,
  visibleFileBytes: 256 * 1024,
  programUsers: [1, 100, 1000],
  programLocations: [10, 100, 500],
  hashUsers: 20,
};

export const QUICK: Profile = {
  ...FULL,
  name: "quick",
  runs: 3,
  largeFileBytes: 256 * MiB,
  streamFileBytes: 64 * MiB,
  imageCount: 1_000,
  wrkSeconds: 2,
  ftpUploadBytes: 256 * MiB,
  ftpConcurrentBytes: 25 * MiB,
  programUsers: [1, 10, 30],
  programLocations: [10, 50, 100],
  hashUsers: 5,
};

export function profileFor(argv: readonly string[]): Profile {
  const unknown = argv.filter((a) => a !== "--quick");
  if (unknown.length > 0)
    throw new Error(`unknown argument ${unknown.join(" ")}; usage: npm run bench [-- --quick]`);
  return argv.includes("--quick") ? QUICK : FULL;
}
