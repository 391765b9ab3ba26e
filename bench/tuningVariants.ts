/**
 * The generated nginx.conf with one directive changed: the variants `npm run bench:tuning`
 * measures against the generated file itself, one change at a time. Pure: each edit names the
 * text it replaces and how often it must occur, so a change in the renderer fails loudly here
 * instead of measuring a variant that silently equals the generated file.
 */

export interface Edit {
  readonly from: string | RegExp;
  readonly to: string;
  /** How many times `from` must occur in the generated file. */
  readonly count: number;
}

export interface TuningVariant {
  readonly name: string;
  /** What it changes, for the table. */
  readonly change: string;
  readonly edits: readonly Edit[];
}

const HTTP_OPEN = /^http \{\n/m;

/** Lines added at the top of the http block. */
const inHttp = (lines: readonly string[]): Edit => ({
  from: HTTP_OPEN,
  to: `http {\n${lines.map((l) => `    ${l}\n`).join("")}`,
  count: 1,
});

export const TUNING_VARIANTS: readonly TuningVariant[] = [
  {
    name: "connections_1024",
    change: "worker_connections 1024 and no worker_rlimit_nofile (nginx's defaults)",
    edits: [
      { from: /^ {4}worker_connections \d+;$/m, to: "    worker_connections 1024;", count: 1 },
      { from: /^worker_rlimit_nofile \d+;\n/m, to: "", count: 1 },
    ],
  },
  {
    name: "reuseport",
    change: "listen … reuseport (one accept queue per worker)",
    // The media server's listen and the status server's.
    edits: [{ from: /^( {8}listen 127\.0\.0\.1:\d+);$/gm, to: "$1 reuseport;", count: 2 }],
  },
  {
    name: "open_file_cache",
    // Errors stay uncached (the default): a cached "not found" would hide a new upload.
    change: "open_file_cache max=10000 inactive=30s; open_file_cache_valid 5s",
    edits: [inHttp(["open_file_cache max=10000 inactive=30s;", "open_file_cache_valid 5s;"])],
  },
  {
    name: "sendfile_max_chunk_512k",
    change: "sendfile_max_chunk 512k (nginx 1.22's default: 2m)",
    edits: [{ from: "    sendfile on;\n", to: "    sendfile on;\n    sendfile_max_chunk 512k;\n", count: 1 }],
  },
  {
    name: "keepalive_requests_10000",
    change: "keepalive_requests 10000 (default 1000)",
    edits: [
      {
        from: "    keepalive_timeout 65;\n",
        to: "    keepalive_timeout 65;\n    keepalive_requests 10000;\n",
        count: 1,
      },
    ],
  },
  {
    name: "access_log_unbuffered",
    change: "access_log written per request (http.accessLog: unbuffered)",
    edits: [{ from: /^( {4}access_log \S+) combined buffer=4k flush=1s;$/m, to: "$1;", count: 1 }],
  },
  {
    name: "access_log_off",
    change: "access_log off (http.accessLog: off)",
    edits: [
      { from: /^ {4}access_log \S+ combined buffer=4k flush=1s;$/m, to: "    access_log off;", count: 1 },
    ],
  },
  {
    name: "tcp_nopush_off",
    change: "no tcp_nopush (as the seed)",
    edits: [{ from: "    tcp_nopush on;\n", to: "", count: 1 }],
  },
  {
    name: "aio_threads",
    change: "aio threads in mp4 locations (http.aioThreads: true)",
    edits: [{ from: "            mp4;\n", to: "            mp4;\n            aio threads;\n", count: 1 }],
  },
];

function occurrences(text: string, from: string | RegExp): number {
  if (typeof from === "string") return text.split(from).length - 1;
  const global = new RegExp(from.source, from.flags.includes("g") ? from.flags : `${from.flags}g`);
  return [...text.matchAll(global)].length;
}

/** The generated file with a variant's edits applied; throws when an edit does not match as expected. */
export function applyVariant(conf: string, variant: TuningVariant): string {
  let out = conf;
  for (const e of variant.edits) {
    const found = occurrences(out, e.from);
    if (found !== e.count)
      throw new Error(
        `tuning variant ${variant.name}: expected ${String(e.from)} ${e.count} time(s) in the generated nginx.conf, found ${found}; update bench/tuningVariants.ts`,
      );
    out = typeof e.from === "string" ? out.split(e.from).join(e.to) : out.replace(e.from, e.to);
  }
  return out;
}

/**
 * A copy of the generated file for a server of its own: its folder (pid, logs, temp paths,
 * gallery) instead of the generated server's, and its own ports.
 */
export function relocate(
  conf: string,
  from: { dir: string; ports: readonly number[] },
  to: { dir: string; ports: readonly number[] },
): string {
  if (from.ports.length !== to.ports.length) throw new Error("relocate: as many new ports as old ones");
  let out = conf.split(`${from.dir}/`).join(`${to.dir}/`);
  from.ports.forEach((port, i) => {
    const listen = new RegExp(`(listen 127\\.0\\.0\\.1):${port}\\b`, "g");
    if (!listen.test(out)) throw new Error(`relocate: no listen on port ${port}`);
    out = out.replace(listen, `$1:${to.ports[i]}`);
  });
  return out;
}
