/**
 * Uploads of generated payloads and downloads hashed as they stream, for the load and fault
 * tests: no file is held in memory, every operation is bounded in time, only 127.0.0.1.
 */
import { Client } from "basic-ftp";
import * as http from "node:http";
import type { Endpoint } from "../support/clients";
import { HOST } from "../support/ports";
import { payloadStream, sha256Stream, type Payload } from "./data";

/** Idle limit of one FTP or HTTP operation; generous, the tests run many at once on few CPUs. */
export const TRANSFER_TIMEOUT_MS = 60_000;

export async function ftpLogin(
  endpoint: Endpoint,
  user: string,
  password = endpoint.passwords[user],
): Promise<Client> {
  const client = new Client(TRANSFER_TIMEOUT_MS);
  try {
    await client.access({ host: HOST, port: endpoint.ftpPort, user, password, secure: false });
    return client;
  } catch (e) {
    client.close();
    throw e;
  }
}

export async function uploadPayload(client: Client, payload: Payload, remotePath: string): Promise<number> {
  const res = await client.uploadFrom(payloadStream(payload), remotePath);
  return res.code;
}

export interface Download {
  readonly status: number;
  readonly sha256: string;
  readonly bytes: number;
}

/** GET on a connection of its own, the body hashed as it arrives. */
export function downloadSha256(endpoint: Pick<Endpoint, "httpPort">, urlPath: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: HOST, port: endpoint.httpPort, path: urlPath, agent: false, timeout: TRANSFER_TIMEOUT_MS },
      (res) => {
        sha256Stream(res).then(
          ({ sha256, bytes }) => resolve({ status: res.statusCode ?? 0, sha256, bytes }),
          reject,
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error(`GET ${urlPath}: idle for ${TRANSFER_TIMEOUT_MS} ms`)));
    req.on("error", reject);
  });
}
