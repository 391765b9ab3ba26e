/**
 * Every field of the stack config, read from the zod schema itself (components/schema.ts), so the
 * bad-config matrix can prove it covers each one and notices a field added later.
 */
import { z } from "zod";
import { rawConfigSchema } from "../../spec";

export type FieldKind = "object" | "array" | "string" | "number" | "boolean" | "enum";

export interface ConfigField {
  /** `ftp.users[].name`: array elements as `[]`. */
  readonly path: string;
  readonly kind: FieldKind;
}

/** The schema inside defaults and optionals (zod 4 keeps refinements on the schema itself). */
function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodPrefault) {
    return unwrap(schema.def.innerType as z.ZodTypeAny);
  }
  if (schema instanceof z.ZodOptional) return unwrap(schema.unwrap() as z.ZodTypeAny);
  return schema;
}

function kindOf(schema: z.ZodTypeAny): FieldKind {
  if (schema instanceof z.ZodObject) return "object";
  if (schema instanceof z.ZodArray) return "array";
  if (schema instanceof z.ZodString) return "string";
  if (schema instanceof z.ZodNumber) return "number";
  if (schema instanceof z.ZodBoolean) return "boolean";
  if (schema instanceof z.ZodEnum) return "enum";
  // `"" | relativePath`, `"*" | origin`, `"/" | urlPrefix`: strings with a literal alternative.
  if (schema instanceof z.ZodUnion) {
    const kinds = (schema.options as z.ZodTypeAny[]).map((o) => {
      const inner = unwrap(o);
      return inner instanceof z.ZodLiteral
        ? typeof inner.value === "string"
          ? "string"
          : "other"
        : kindOf(inner);
    });
    if (kinds.every((k) => k === "string")) return "string";
  }
  throw new Error(
    `configFields: no kind for ${schema.constructor.name}; teach test/unit/configFields.ts about it`,
  );
}

function walk(schema: z.ZodTypeAny, at: string, out: ConfigField[]): void {
  const inner = unwrap(schema);
  const kind = kindOf(inner);
  if (at) out.push({ path: at, kind });
  if (inner instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodTypeAny>)) {
      walk(child, at ? `${at}.${key}` : key, out);
    }
  } else if (inner instanceof z.ZodArray) {
    const element = unwrap(inner.element as z.ZodTypeAny);
    if (element instanceof z.ZodObject) {
      for (const [key, child] of Object.entries(element.shape as Record<string, z.ZodTypeAny>)) {
        walk(child, `${at}[].${key}`, out);
      }
    } else {
      walk(element, `${at}[]`, out);
    }
  }
}

/** Every field, parents before children, in schema order. */
export function configFields(): ConfigField[] {
  const out: ConfigField[] = [];
  walk(rawConfigSchema, "", out);
  return out;
}

/** `ftp.users[].name` → `ftp.users.0.name` (the dotted form test/support/stacks.ts withValue takes). */
export const dottedAtFirst = (field: string): string => field.replace(/\[\]/g, ".0");

/** `ftp.users[].name` → `ftp.users[0].name` (the form error messages use). */
export const messagePathAtFirst = (field: string): string => field.replace(/\[\]/g, "[0]");
