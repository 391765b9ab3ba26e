/** Ed25519 key pairs made at test time, in the forms OpenSSH and the stack config take. */
import { generateKeyPairSync } from "node:crypto";

export interface SshKeyPair {
  /** `ssh-ed25519 AAAA… comment`, as authorized_keys, known_hosts and target.sshHostKey hold it. */
  readonly publicKey: string;
  /** PKCS#8 PEM, which OpenSSH, ssh2 and pulumi-command all read. */
  readonly privateKey: string;
}

const sshString = (data: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
};

export function ed25519KeyPair(comment = "video-server-test"): SshKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  // The raw 32-byte key is the tail of its SPKI DER encoding.
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const blob = Buffer.concat([sshString(Buffer.from("ssh-ed25519")), sshString(raw)]);
  return {
    publicKey: `ssh-ed25519 ${blob.toString("base64")} ${comment}`,
    privateKey: privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
  };
}
