/**
 * The worker's counters in Prometheus's text format, and the HTTP server that shows them.
 * Counters start at 0 with each run; Prometheus's rate() and increase() handle the reset.
 */
import * as http from "node:http";

export class Metrics {
  uploadsCompleted = 0;
  uploadsFailed = 0;
  uploadBytes = 0;
  published = 0;
  rejected = 0;
  processingFailures = 0;
  processingSeconds = 0;
  jobsDone = 0;
  queueDepth = 0;
  hlsLadders = 0;
  hlsEncodeSeconds = 0;
  deliveries = { delivered: 0, failed: 0, retried: 0 };

  render(): string {
    const family = (name: string, type: "counter" | "gauge", help: string, samples: [string, number][]) => [
      `# HELP ${name} ${help}`,
      `# TYPE ${name} ${type}`,
      ...samples.map(([labels, v]) => `${name}${labels} ${v}`),
    ];
    const d = this.deliveries;
    return [
      ...family("video_server_uploads_total", "counter", "Uploads into a location seen in the FTP log.", [
        ['{result="completed"}', this.uploadsCompleted],
        ['{result="failed"}', this.uploadsFailed],
      ]),
      ...family("video_server_upload_bytes_total", "counter", "Bytes of completed uploads.", [
        ["", this.uploadBytes],
      ]),
      ...family("video_server_published_total", "counter", "Files published or described.", [
        ["", this.published],
      ]),
      ...family("video_server_rejected_total", "counter", "Uploads that failed the checks.", [
        ["", this.rejected],
      ]),
      ...family("video_server_processing_failures_total", "counter", "Jobs that failed.", [
        ["", this.processingFailures],
      ]),
      ...family("video_server_processing_seconds_total", "counter", "Seconds spent in jobs.", [
        ["", Math.round(this.processingSeconds * 1000) / 1000],
      ]),
      ...family("video_server_jobs_total", "counter", "Jobs finished, whatever their outcome.", [
        ["", this.jobsDone],
      ]),
      ...family("video_server_queue_depth", "gauge", "Jobs waiting or running (ladders too).", [
        ["", this.queueDepth],
      ]),
      ...family("video_server_hls_ladders_total", "counter", "HLS ladders encoded.", [["", this.hlsLadders]]),
      ...family("video_server_hls_encode_seconds_total", "counter", "Seconds ffmpeg spent on HLS ladders.", [
        ["", Math.round(this.hlsEncodeSeconds * 1000) / 1000],
      ]),
      ...family("video_server_webhook_deliveries_total", "counter", "Webhook delivery outcomes.", [
        ['{result="delivered"}', d.delivered],
        ['{result="failed"}', d.failed],
        ['{result="retried"}', d.retried],
      ]),
      "",
    ].join("\n");
  }
}

/** GET /metrics and GET /healthz (204); anything else 404. */
export function serveMetrics(metrics: Metrics, host: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && url === "/metrics") {
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(metrics.render());
    } else if (req.method === "GET" && url === "/healthz") {
      res.writeHead(204).end();
    } else {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}
