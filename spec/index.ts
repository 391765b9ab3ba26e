/**
 * The bottom layer: stack config → a validated Spec, and where things live inside the
 * containers. Imports nothing else of the project; everything above imports from here.
 */
export * from "./endpoints";
export * from "./layout";
export * from "./rules";
export * from "./schema";
export * from "./spec";
export * from "./tls";
