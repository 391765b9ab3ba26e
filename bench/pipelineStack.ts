/** The pipeline benchmark's stacks: two locations that differ only by `publish`, one with HLS; one FTP user. */
import { HOST } from "../test/support/ports";
import type { StackConfig } from "../test/support/project";

export const USER = "uploader";

/** Where a variant's uploads go, where nginx serves them, and the folder under the media root. */
export const PUBLISH = {
  verified: { upload: "/videos/.incoming/", served: "/videos/", directory: "videos" },
  immediate: { upload: "/clips/", served: "/clips/", directory: "clips" },
} as const;
export type Publish = keyof typeof PUBLISH;

/** Both locations as the default /videos/ is (mp4 on); layout.ts fills in ports and paths. */
export const STACK: StackConfig = {
  ftp: {
    bindAddress: HOST,
    passiveAddress: HOST,
    users: [{ name: USER, password: "bench-pipeline-password" }],
  },
  http: {
    bindAddress: HOST,
    gallery: { enabled: false },
    locations: (["verified", "immediate"] as const).map((publish) => ({
      path: PUBLISH[publish].served,
      directory: PUBLISH[publish].directory,
      mp4: true,
      publish,
    })),
  },
};

/** The HLS workload's location: the default ladder (`hls: {}`), otherwise as the default /videos/. */
export const HLS = { upload: "/streams/", served: "/streams/", directory: "streams" } as const;

/** A stack of its own, so that its worker has no other job and its metrics count the ladders alone. */
export const HLS_STACK: StackConfig = {
  ftp: STACK.ftp,
  http: {
    bindAddress: HOST,
    gallery: { enabled: false },
    locations: [{ path: HLS.served, directory: HLS.directory, mp4: true, hls: {} }],
  },
};
