/**
 * Test payloads generated on the fly: AES-256-CTR keystream from a seed, so any size streams
 * without being held in memory, and the same seed always gives the same bytes (and sha256).
 */
import { createCipheriv, createHash } from "node:crypto";
import { Readable } from "node:stream";

export const MB = 1024 * 1024;
const CHUNK = 256 * 1024;

export interface Payload {
  readonly seed: string;
  readonly size: number;
}

/** The payload's bytes, as a stream. */
export function payloadStream({ seed, size }: Payload): Readable {
  const cipher = createCipheriv("aes-256-ctr", createHash("sha256").update(seed).digest(), Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  let left = size;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, CHUNK);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

export function payloadBytes(payload: Payload): Buffer {
  const cipher = createCipheriv(
    "aes-256-ctr",
    createHash("sha256").update(payload.seed).digest(),
    Buffer.alloc(16),
  );
  return cipher.update(Buffer.alloc(payload.size));
}

/** sha256 of everything a stream yields. */
export async function sha256Stream(
  stream: AsyncIterable<Buffer>,
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

export const payloadSha256 = async (payload: Payload): Promise<string> =>
  (await sha256Stream(payloadStream(payload))).sha256;
