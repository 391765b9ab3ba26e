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
  /** Streaming connections of the deployed-path workload. */
  readonly deployedStreamConnections: number;
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
  runs: 7,
  largeFileBytes: 1024 * MiB,
  streamFileBytes: 200 * MiB,
  rangeBytes: MiB,
  streamConnections: [100, 500, 1000],
  imageCount: 10_000,
  imageBytes: 50 * 1024,
  wrkSeconds: 5,
  smallFileConnections: 100,
  deployedStreamConnections: 500,
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
  deployedStreamConnections: 100,
  ftpUploadBytes: 256 * MiB,
  ftpConcurrentBytes: 25 * MiB,
  programUsers: [1, 10, 30],
  programLocations: [10, 50, 100],
  hashUsers: 5,
};

/** The workloads of `npm run bench`, in the order they run; `--only` picks some of them. */
export const WORKLOADS = ["large", "streaming", "small", "ftp", "visible", "deployed", "program"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface Choice {
  readonly profile: Profile;
  readonly workloads: readonly WorkloadName[];
}

const USAGE = `usage: npm run bench [-- [--quick] [--only ${WORKLOADS.join(",")}]]`;

export function profileFor(argv: readonly string[]): Choice {
  let workloads: readonly WorkloadName[] = WORKLOADS;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--quick") quick = true;
    else if (argv[i] === "--only" && argv[i + 1] !== undefined) {
      const names = argv[++i].split(",");
      const unknown = names.filter((n) => !(WORKLOADS as readonly string[]).includes(n));
      if (unknown.length > 0) throw new Error(`unknown workload ${unknown.join(", ")}; ${USAGE}`);
      workloads = WORKLOADS.filter((w) => names.includes(w));
    } else throw new Error(`unknown argument ${argv[i]}; ${USAGE}`);
  }
  return { profile: quick ? QUICK : FULL, workloads };
}
