/** A small tmpfs mounted over a folder (root only): a disk that fills up on cue. */
import { execFileSync } from "node:child_process";

export interface Mount {
  readonly dir: string;
  /** Unmounts; lazily when a process still holds a file there. Safe to call twice. */
  unmount(): void;
}

export function mountTmpfs(dir: string, sizeMb: number): Mount {
  // 0755 root: what vsftpd needs of a chroot (not writable by its user), readable by nginx.
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m,mode=0755`, "video-server-hostile", dir], {
    stdio: "pipe",
  });
  let mounted = true;
  return {
    dir,
    unmount() {
      if (!mounted) return;
      try {
        execFileSync("umount", [dir], { stdio: "pipe" });
      } catch {
        execFileSync("umount", ["-l", dir], { stdio: "pipe" });
      }
      mounted = false;
    },
  };
}
