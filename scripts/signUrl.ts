/**
 * npm run sign-url -- /videos/clip.mp4 --ttl 1h --secret "$SECRET"
 *
 * Prints a signed, expiring link for a location with `secureLink: true` (nginx/secureLink.ts
 * makes it; applications can import signUrl from there). Exit codes: 0 printed, 2 bad arguments.
 */
import { signUrl } from "../nginx/secureLink";
import { parseSignUrlArgs, USAGE } from "./signUrlArgs";

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

export function main(
  argv: readonly string[],
  io: Io = consoleIo,
  env: Readonly<Record<string, string | undefined>> = process.env,
  nowUnix: number = Math.floor(Date.now() / 1000),
): number {
  const command = parseSignUrlArgs(argv, env, nowUnix);
  switch (command.kind) {
    case "help":
      io.out(USAGE);
      return 0;
    case "error":
      io.err(`sign-url: ${command.message}\n${USAGE}`);
      return 2;
    case "sign":
      io.out(`${command.baseUrl}${signUrl(command.path, command.secret, command.expires)}`);
      return 0;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
