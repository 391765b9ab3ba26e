import { readConfig } from "./components/config";
import { VideoServer } from "./components/videoServer";

const { spec, secrets } = readConfig();
const server = new VideoServer("video-server", { spec, secrets });

export const httpUrl = server.httpUrl;
export const locationUrls = server.locationUrls;
export const ftpEndpoint = server.ftpEndpoint;
export const ftpUsers = server.ftpUsers;
/** Generated FTP passwords: `pulumi stack output --show-secrets ftpPasswords`. */
export const ftpPasswords = server.generatedPasswords;
export const mediaHostPath = spec.media.hostPath;
/** With sftp.enabled: where to connect, and the host key to pin (when the program generated it). */
export const sftpEndpoint = server.sftpEndpoint;
export const sftpHostKey = server.sftp?.hostPublicKey;
export const sftpHostKeyFingerprint = server.sftp?.hostKeyFingerprint;
/** With target.mode swarm: the edge caches' service (`docker service ps` lists its nodes). */
export const edgeService = server.edge?.service.name;
