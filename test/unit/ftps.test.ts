/** FTPS in the resource graph: the certificate and key reach the FTP container as secret uploads only. */
import { runProgram, type ProgramRun, type StackConfig } from "../support/program";
import { threeUserConfig } from "../support/stacks";

// Pattern-valid stand-ins; the program copies PEM text and never parses it.
const CERT = "-----BEGIN CERTIFICATE-----\nQ0VSVElGSUNBVEU=\n-----END CERTIFICATE-----";
const KEY = "-----BEGIN PRIVATE KEY-----\nUFJJVkFURUtFWVRFWFQ=\n-----END PRIVATE KEY-----";

type Upload = { file: string; content: string; permissions: string };

const withTls = (tls: "off" | "enabled" | "required"): StackConfig => {
  const base = threeUserConfig();
  return { ...base, ftp: { ...(base.ftp as object), tls, tlsCertificate: CERT, tlsKey: KEY } };
};
const ftpContainer = (run: ProgramRun) => {
  const found = run.resources.find((r) => r.name === "video-server-ftp-container");
  if (!found) throw new Error("no FTP container declared");
  return found;
};

describe("FTPS in the declared FTP container", () => {
  it("uploads the certificate world-readable and the key root-only when ftp.tls is required", async () => {
    const uploads = ftpContainer(await runProgram(withTls("required"))).inputs.uploads as Upload[];
    expect(
      uploads.filter((u) => u.file.includes("tls")).map((u) => [u.file, u.permissions, u.content]),
    ).toEqual([
      ["/etc/vsftpd/tls-certificate.pem", "0644", `${CERT}\n`],
      ["/etc/vsftpd/tls-key.pem", "0600", `${KEY}\n`],
    ]);
    const conf = uploads.find((u) => u.file === "/etc/vsftpd.conf")?.content ?? "";
    expect(conf).toContain("ssl_enable=YES\n");
    expect(conf).toContain("rsa_private_key_file=/etc/vsftpd/tls-key.pem\n");
  });

  it("keeps the key and certificate out of every public input and output, though the stack config holds them in clear", async () => {
    const run = await runProgram(withTls("enabled"));
    expect(ftpContainer(run).secretPaths).toContain("uploads");
    const clear = JSON.stringify([run.resources.map((r) => r.publicInputs), run.outputs]);
    expect(clear).not.toContain("UFJJVkFURUtFWVRFWFQ=");
    expect(clear).not.toContain("Q0VSVElGSUNBVEU=");
  });

  it("uploads neither file when ftp.tls is off, even with both configured", async () => {
    const uploads = ftpContainer(await runProgram(withTls("off"))).inputs.uploads as Upload[];
    expect(uploads.map((u) => u.file).filter((f) => f.includes("tls"))).toEqual([]);
  });
});
