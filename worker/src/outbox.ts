/**
 * Webhook deliveries, at least once: each event is queued for every webhook subscribed to it,
 * saved in stateDir before anything is sent, and retried with backoff until a 2xx, a 4xx, or
 * webhookRetrySeconds after its first attempt. Secrets are not saved: a delivery names its
 * webhook by URL and takes the secret from the settings when it is sent.
 */
import type { WorkerEvent } from "./events";
import type { Metrics } from "./metrics";
import type { WorkerSettings } from "./settings";
import { arrayOf, isRecord, StateFile } from "./stateFile";
import { deliveryHeaders, nextAttemptAt, verdictOf } from "./webhook";

export interface Delivery {
  readonly id: string;
  readonly type: string;
  readonly url: string;
  readonly body: string;
  firstAttemptAt: number | null;
  attempts: number;
  nextAttemptAt: number;
}

const isDelivery = (v: unknown): v is Delivery =>
  isRecord(v) && typeof v.id === "string" && typeof v.url === "string" && typeof v.body === "string";

/** Per-attempt limit. */
const ATTEMPT_TIMEOUT_MS = 10_000;
/** Deliveries in flight at once. */
const PARALLEL = 4;

export class Outbox {
  private readonly file: StateFile<Delivery[]>;
  private readonly pending: Delivery[];
  private readonly inFlight = new Set<Delivery>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly settings: Pick<WorkerSettings, "webhooks" | "webhookRetrySeconds" | "stateDir">,
    private readonly metrics: Metrics,
    private readonly log: (line: string) => void,
  ) {
    this.file = new StateFile(settings.stateDir, "deliveries.json", arrayOf(isDelivery));
    // A webhook removed from the settings takes its unsent deliveries with it.
    this.pending = this.file.load([]).filter((d) => this.webhookOf(d.url) !== undefined);
  }

  get size(): number {
    return this.pending.length;
  }

  add(event: WorkerEvent, now = Date.now()): void {
    const body = JSON.stringify(event);
    const targets = this.settings.webhooks.filter((w) => w.events.includes(event.type));
    if (targets.length === 0) return;
    for (const w of targets) {
      this.pending.push({
        id: event.id,
        type: event.type,
        url: w.url,
        body,
        firstAttemptAt: null,
        attempts: 0,
        nextAttemptAt: now,
      });
    }
    this.file.save(this.pending);
  }

  /**
   * Works through the deliveries due at `now`, PARALLEL at a time; resolves when none is left.
   * Each attempt ends delivered, given up or rescheduled after `now`, so the loop ends.
   */
  async tick(now = Date.now()): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const due = this.pending.filter((d) => !this.inFlight.has(d) && d.nextAttemptAt <= now);
      const free = PARALLEL - this.inFlight.size;
      if (due.length === 0 || free <= 0) return;
      await Promise.all(due.slice(0, free).map((d) => this.attempt(d)));
    }
  }

  /** Aborts the attempts in flight; they stay queued for the next run. */
  stop(): void {
    this.stopping.abort();
  }

  private async attempt(d: Delivery): Promise<void> {
    const webhook = this.webhookOf(d.url);
    if (webhook === undefined) return this.finish(d);
    this.inFlight.add(d);
    const timestamp = Math.floor(Date.now() / 1000);
    d.firstAttemptAt ??= Date.now();
    let status: number | null = null;
    try {
      const res = await fetch(d.url, {
        method: "POST",
        headers: deliveryHeaders(d, webhook.secret, timestamp, d.body),
        body: d.body,
        redirect: "manual",
        signal: AbortSignal.any([AbortSignal.timeout(ATTEMPT_TIMEOUT_MS), this.stopping.signal]),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (e) {
      // Shutting down: the attempt does not count, the delivery stays queued.
      if (this.stopping.signal.aborted) return;
      const why = e instanceof Error ? String(e.cause ?? e.message) : String(e);
      this.log(`webhook ${d.url} ${d.type} id=${d.id}: ${why}`);
    } finally {
      this.inFlight.delete(d);
    }
    d.attempts += 1;
    const verdict = verdictOf(status);
    const label = status === null ? "no answer" : `HTTP ${status}`;
    if (verdict === "delivered") {
      this.metrics.deliveries.delivered += 1;
      return this.finish(d);
    }
    const next =
      verdict === "retry"
        ? nextAttemptAt(d.firstAttemptAt, d.attempts, Date.now(), this.settings.webhookRetrySeconds)
        : null;
    if (next === null) {
      this.metrics.deliveries.failed += 1;
      this.log(`webhook ${d.url} ${d.type} id=${d.id}: ${label}, given up after ${d.attempts} attempt(s)`);
      return this.finish(d);
    }
    this.metrics.deliveries.retried += 1;
    d.nextAttemptAt = next;
    this.log(
      `webhook ${d.url} ${d.type} id=${d.id}: ${label}, retry in ${Math.round((next - Date.now()) / 1000)} s`,
    );
    this.file.save(this.pending);
  }

  private finish(d: Delivery): void {
    const i = this.pending.indexOf(d);
    if (i >= 0) this.pending.splice(i, 1);
    this.file.save(this.pending);
  }

  private webhookOf(url: string) {
    return this.settings.webhooks.find((w) => w.url === url);
  }
}
