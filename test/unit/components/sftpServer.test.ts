/** SftpServer on its own, under mocks: its image, its host key and its container. */
import { SFTP_CONTAINER_LAYOUT, type Spec } from "../../../spec";
import { resourceNamed, runMocked, type ProgramRun } from "../../support/program";
import { parseConfig, threeUserConfig, withValue } from "../../support/stacks";
import { PEM_SSH_HOST_KEY } from "../everyField";

const HASHES = { editor: "$2b$12$editor", "team-a": "$2b$12$team-a", viewer: "$2b$12$viewer" };

function sftpSpec(hostKey?: string): Spec {
  let config = withValue(threeUserConfig(), "sftp", {
    enabled: true,
    port: 2222,
    ...(hostKey ? { hostKey } : {}),
  });
  config = withValue(config, "ftp.bindAddress", "203.0.113.7");
  return parseConfig(config, "prod").spec;
}

function declare(spec: Spec, hostKey?: string) {
  return runMocked(async () => {
    const { SftpServer } = await import("../../../components/sftpServer");
    const pulumi = await import("@pulumi/pulumi");
    if (spec.sftp === undefined) throw new Error("sftp is off");
    const server = new SftpServer("sftp", {
      spec,
      sftp: spec.sftp,
      volumeName: "media-volume",
      logVolumeName: "log-volume",
      passwordHashes: pulumi.secret(HASHES),
      hostKey: hostKey === undefined ? undefined : pulumi.secret(hostKey),
    });
    return {
      imageId: server.imageId,
      hostPublicKey: server.hostPublicKey,
      hostKeyFingerprint: server.hostKeyFingerprint,
    };
  });
}

describe("SftpServer with a generated host key", () => {
  const spec = sftpSpec();
  let run: ProgramRun;
  beforeAll(async () => {
    run = await declare(spec);
  });
  const container = () => resourceNamed(run, "sftp-container");

  it("generates one Ed25519 host key, kept in state, and exports its public line and fingerprint", () => {
    expect(resourceNamed(run, "sftp-host-key").inputs).toEqual({ algorithm: "ED25519" });
    expect(run.outputs.hostPublicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/]+=*$/);
    expect(run.outputs.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("publishes sshd's port on the FTP bind address at sftp.port", () => {
    expect(container().inputs.ports).toEqual([
      { internal: SFTP_CONTAINER_LAYOUT.listenPort, external: 2222, ip: "203.0.113.7", protocol: "tcp" },
    ]);
  });

  it("mounts the media read-write and the FTP log volume, where the worker reads its log", () => {
    expect(container().inputs.volumes).toEqual([
      { volumeName: "media-volume", containerPath: "/srv/media" },
      { volumeName: "log-volume", containerPath: "/var/log/vsftpd" },
    ]);
  });

  it("uploads the host key and the FTP password hashes root's only, as a secret", () => {
    const uploads = container().inputs.uploads as { file: string; permissions: string }[];
    const modeOf = (file: string) => uploads.find((u) => u.file === file)?.permissions;
    expect(modeOf(SFTP_CONTAINER_LAYOUT.hostKeyFile)).toBe("0600");
    expect(modeOf(SFTP_CONTAINER_LAYOUT.passwordFile)).toBe("0600");
    expect(container().secretPaths).toEqual(["uploads"]);
    expect(JSON.stringify(container().publicInputs)).not.toContain("$2b$12$");
  });

  it("keeps only the capabilities sshd needs to chroot and switch users, without new privileges", () => {
    expect(container().inputs.capabilities).toEqual({
      drops: ["ALL"],
      adds: ["AUDIT_WRITE", "CHOWN", "SETGID", "SETUID", "SYS_CHROOT"],
    });
    expect(container().inputs.securityOpts).toEqual(["no-new-privileges"]);
  });
});

describe("SftpServer with sftp.hostKey", () => {
  it("uses the configured key and generates none", async () => {
    const run = await declare(sftpSpec(PEM_SSH_HOST_KEY), PEM_SSH_HOST_KEY);
    expect(run.resources.map((r) => r.type)).not.toContain("tls:index/privateKey:PrivateKey");
    const uploads = resourceNamed(run, "sftp-container").inputs.uploads as {
      file: string;
      content: string;
    }[];
    expect(uploads.find((u) => u.file === SFTP_CONTAINER_LAYOUT.hostKeyFile)?.content).toBe(PEM_SSH_HOST_KEY);
  });
});
