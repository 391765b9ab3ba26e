import { execFileSync } from "node:child_process";
import { backoffMs, deliveryHeaders, nextAttemptAt, signature, verdictOf } from "../../../worker/src/webhook";

describe("signature", () => {
  it("is HMAC-SHA256 of '<timestamp>.<body>' as openssl computes it", () => {
    const secret = "whsec-test-secret";
    const body = JSON.stringify({ id: "e1", type: "file.published", path: "/videos/été.mp4" });
    const openssl = execFileSync("openssl", ["dgst", "-sha256", "-hmac", secret], {
      input: `1764590400.${body}`,
    })
      .toString()
      .trim()
      .split(" ")
      .pop();
    expect(signature(secret, 1764590400, body)).toBe(`sha256=${openssl}`);
  });

  it("changes with the timestamp, so a replayed body needs the old timestamp too", () => {
    expect(signature("s", 1, "{}")).not.toBe(signature("s", 2, "{}"));
  });
});

describe("deliveryHeaders", () => {
  it("names the event, the delivery, the timestamp and the signature", () => {
    const headers = deliveryHeaders({ id: "d-1", type: "file.deleted" }, "s", 42, "{}");
    expect(headers).toEqual({
      "Content-Type": "application/json",
      "X-Video-Server-Event": "file.deleted",
      "X-Video-Server-Delivery": "d-1",
      "X-Video-Server-Timestamp": "42",
      "X-Video-Server-Signature": signature("s", 42, "{}"),
    });
  });
});

describe("backoffMs", () => {
  it("doubles from 1 s and stays at 5 minutes", () => {
    expect([1, 2, 3, 4, 8, 9, 10, 20].map(backoffMs)).toEqual([
      1000, 2000, 4000, 8000, 128_000, 256_000, 300_000, 300_000,
    ]);
  });
});

describe("verdictOf", () => {
  test.each([
    [200, "delivered"],
    [204, "delivered"],
    [301, "give-up"],
    [400, "give-up"],
    [410, "give-up"],
    [429, "give-up"],
    [500, "retry"],
    [503, "retry"],
    [null, "retry"],
  ])("answers %s with %s", (status, verdict) => {
    expect(verdictOf(status)).toBe(verdict);
  });
});

describe("nextAttemptAt", () => {
  it("schedules the next attempt after the backoff while it is inside the retry window", () => {
    expect(nextAttemptAt(0, 3, 10_000, 60)).toBe(14_000);
  });

  it("gives up when the next attempt would fall after the retry window", () => {
    expect(nextAttemptAt(0, 6, 40_000, 60)).toBeNull();
    expect(nextAttemptAt(0, 1, 0, 0)).toBeNull();
  });
});
