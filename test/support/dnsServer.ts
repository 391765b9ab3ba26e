/**
 * A DNS server on 127.0.0.1 that knows one name, standing in for Docker's embedded DNS in front
 * of a swarm service: it answers the name's A query with an address while the service has a task,
 * and NXDOMAIN (no record, as Docker's DNS answers for a service without tasks) otherwise.
 */
import * as dgram from "node:dgram";
import { HOST } from "./ports";

export interface DnsServer {
  /** `127.0.0.1:<port>`, as nginx's `resolver` takes it. */
  readonly address: string;
  /** The address the name resolves to; undefined: NXDOMAIN. */
  answer: string | undefined;
  /** Queries for the name so far. */
  readonly queries: () => number;
  stop(): Promise<void>;
}

/** The question's end: labels up to the root label, then type and class. */
function questionEnd(query: Buffer): number {
  let at = 12;
  while (at < query.length && query[at] !== 0) at += 1 + (query[at] ?? 0);
  return at + 5;
}

function qname(query: Buffer): string {
  const labels: string[] = [];
  for (let at = 12; at < query.length && query[at] !== 0; at += 1 + (query[at] ?? 0))
    labels.push(query.subarray(at + 1, at + 1 + (query[at] ?? 0)).toString("latin1"));
  return labels.join(".").toLowerCase();
}

export async function startDnsServer(name: string): Promise<DnsServer> {
  const socket = dgram.createSocket("udp4");
  const state: { answer: string | undefined; queries: number } = { answer: undefined, queries: 0 };
  socket.on("message", (query, peer) => {
    if (query.length < 17) return;
    const end = questionEnd(query);
    const question = query.subarray(12, end);
    const type = question.readUInt16BE(question.length - 4);
    const known = qname(query) === name.toLowerCase();
    if (known) state.queries++;
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    const address = known ? state.answer : undefined;
    // QR, RD, RA; rcode 3 (NXDOMAIN) where the name has no address.
    header.writeUInt16BE(address === undefined ? 0x8183 : 0x8180, 2);
    header.writeUInt16BE(1, 4);
    const records: Buffer[] = [];
    if (address !== undefined && type === 1) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // the question's name
      rr.writeUInt16BE(1, 2); // A
      rr.writeUInt16BE(1, 4); // IN
      rr.writeUInt32BE(5, 6); // TTL
      rr.writeUInt16BE(4, 10);
      Buffer.from(address.split(".").map(Number)).copy(rr, 12);
      records.push(rr);
    }
    header.writeUInt16BE(records.length, 6);
    socket.send(Buffer.concat([header, question, ...records]), peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, HOST, () => resolve());
  });
  return {
    address: `${HOST}:${socket.address().port}`,
    get answer() {
      return state.answer;
    },
    set answer(value) {
      state.answer = value;
    },
    queries: () => state.queries,
    stop: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}
