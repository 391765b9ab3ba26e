/**
 * Test data: the committed fixtures (test/fixtures), and payloads generated on the fly from a
 * seed (AES-256-CTR keystream), so any size streams without being held in memory and the same
 * seed always gives the same bytes and sha256.
 */
import { createCipheriv, createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";

export const FIXTURES = path.resolve(__dirname, "../fixtures");
export const fixture = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, name));
export const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

export const MB = 1024 * 1024;
const CHUNK = 256 * 1024;

export interface Payload {
  readonly seed: string;
  readonly size: number;
}

const keystream = (seed: string) =>
  createCipheriv("aes-256-ctr", createHash("sha256").update(seed).digest(), Buffer.alloc(16));

/** The payload's bytes, as a stream. */
export function payloadStream({ seed, size }: Payload): Readable {
  const cipher = keystream(seed);
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
