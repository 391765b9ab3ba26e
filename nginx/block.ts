export function block(head: string, body: readonly string[]): string[] {
  return [`${head} {`, ...body.map((l) => (l ? `    ${l}` : "")), "}"];
}
