/**
 * An FTP client in a process of its own that uploads without end, so a test can SIGKILL it in
 * the middle of a transfer: the kernel then closes its sockets, as when a real uploader dies.
 * It speaks FTP by hand (USER, PASS, TYPE I, EPSV, STOR) to 127.0.0.1 and stops by itself after
 * 1 GiB, should nobody kill it.
 */
import { spawn, type ChildProcess } from "node:child_process";

const CLIENT = `
const net = require("node:net");
const [port, user, pass, target] = process.argv.slice(1);
const chunk = require("node:crypto").randomBytes(65536);
let sent = 0;
const control = net.connect({ host: "127.0.0.1", port: Number(port) });
const send = (line) => control.write(line + "\\r\\n");
let buffer = "";
control.on("data", (d) => {
  buffer += d.toString("latin1");
  let end;
  while ((end = buffer.indexOf("\\r\\n")) >= 0) {
    const line = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    if (!/^\\d{3} /.test(line)) continue;
    const code = line.slice(0, 3);
    if (code === "220") send("USER " + user);
    else if (code === "331") send("PASS " + pass);
    else if (code === "230") send("TYPE I");
    else if (code === "200") send("EPSV");
    else if (code === "229") {
      const data = net.connect({ host: "127.0.0.1", port: Number(/\\|\\|\\|(\\d+)\\|/.exec(line)[1]) }, () => send("STOR " + target));
      control.once("stor", () => {
        process.stdout.write("STREAMING\\n");
        const pump = () => {
          while (sent < 1024 * 1024 * 1024) {
            sent += chunk.length;
            if (!data.write(chunk)) return data.once("drain", pump);
          }
          data.end();
        };
        pump();
      });
    } else if (code === "150") control.emit("stor");
    else { process.stdout.write("UNEXPECTED " + line + "\\n"); process.exit(2); }
  }
});
`;

export interface EndlessUpload {
  /** Resolves once the server has accepted STOR and data flows. */
  readonly streaming: Promise<void>;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
}

export function startEndlessUpload(
  port: number,
  user: string,
  password: string,
  target: string,
): EndlessUpload {
  const child: ChildProcess = spawn(process.execPath, ["-e", CLIENT, String(port), user, password, target], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const streaming = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the upload client did not start streaming: ${output}`)),
      15_000,
    );
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
      if (output.includes("STREAMING")) {
        clearTimeout(timer);
        resolve();
      } else if (output.includes("UNEXPECTED")) {
        clearTimeout(timer);
        reject(new Error(`the upload client got ${output}`));
      }
    });
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the upload client exited (${code}) before streaming: ${output}`));
    });
  });
  streaming.catch(() => undefined);
  return {
    streaming,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
