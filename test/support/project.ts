/** The project's name and folder, and the shape of a stack config as the tests write it. */
import * as path from "node:path";

/** The Pulumi project name (Pulumi.yaml), the namespace of every config key. */
export const PROJECT = "video-server";
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/**
 * The `video-server:` keys of a stack config, namespace stripped, as in Pulumi.<stack>.yaml; a
 * value may be an object (the CLI JSON-encodes it).
 */
export type StackConfig = Readonly<Record<string, unknown>>;
