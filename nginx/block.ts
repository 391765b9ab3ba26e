/** Lines of nginx config: `head {`, the body indented by four spaces, `}`. Blank lines stay blank. */
export function block(head: string, body: readonly string[]): string[] {
  return [`${head} {`, ...body.map((l) => (l ? `    ${l}` : "")), "}"];
}
