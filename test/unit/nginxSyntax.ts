/**
 * nginx.conf read the way nginx reads it (ngx_conf_read_token in src/core/ngx_conf_file.c):
 * words split by whitespace, `;` ends a directive, `{` opens a block, `}` closes one, `#` starts
 * a comment only where a word could start, quotes and backslash escapes, `${` inside a word.
 * Words keep their source text (quotes included), so two renderings can be compared word by word.
 */

export interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  /** The block's directives, for `name args { … }`. */
  readonly block?: readonly Directive[];
  readonly line: number;
}

export class NginxSyntaxError extends Error {
  constructor(message: string, line: number) {
    super(`nginx.conf line ${line}: ${message}`);
    this.name = "NginxSyntaxError";
  }
}

const SPACE = new Set([" ", "\t", "\r", "\n"]);

type Token = { kind: "word"; text: string; line: number } | { kind: ";" | "{" | "}"; line: number };

/** The words and punctuation of a file, as ngx_conf_read_token splits them. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const at = (k: number) => text[k] ?? "";
  while (i < text.length) {
    const ch = at(i);
    if (SPACE.has(ch)) {
      if (ch === "\n") line++;
      i++;
      continue;
    }
    if (ch === ";" || ch === "{" || ch === "}") {
      tokens.push({ kind: ch, line });
      i++;
      continue;
    }
    if (ch === "#") {
      while (i < text.length && at(i) !== "\n") i++;
      continue;
    }
    const start = i;
    const startLine = line;
    if (ch === '"' || ch === "'") {
      i++;
      while (i < text.length && at(i) !== ch) {
        if (at(i) === "\\") i++;
        if (at(i) === "\n") line++;
        i++;
      }
      if (i >= text.length)
        throw new NginxSyntaxError("unexpected end of file, expecting a closing quote", startLine);
      i++;
      const next = at(i);
      // After a quoted word nginx wants a space, `;`, `{`, or the `)` that closes an `if` condition.
      if (next === ")") i++;
      else if (next !== "" && !SPACE.has(next) && next !== ";" && next !== "{") {
        throw new NginxSyntaxError(`unexpected "${next}" after a quoted word`, line);
      }
      tokens.push({ kind: "word", text: text.slice(start, i), line: startLine });
      continue;
    }
    let variable = false;
    while (i < text.length) {
      const c = at(i);
      if (c === "{" && variable) {
        i++;
        continue;
      }
      variable = false;
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === "$") {
        variable = true;
        i++;
        continue;
      }
      if (SPACE.has(c) || c === ";" || c === "{") break;
      i++;
    }
    tokens.push({ kind: "word", text: text.slice(start, i), line: startLine });
  }
  return tokens;
}

/** Directives and blocks; throws NginxSyntaxError where nginx would refuse the file's shape. */
export function parseNginxConf(text: string): Directive[] {
  const tokens = tokenize(text);
  let k = 0;
  const parseBlock = (closing: boolean, openLine: number): Directive[] => {
    const out: Directive[] = [];
    let words: { text: string; line: number }[] = [];
    while (k < tokens.length) {
      const t = tokens[k++];
      if (t.kind === "word") {
        words.push(t);
        continue;
      }
      if (t.kind === "}") {
        if (words.length > 0) throw new NginxSyntaxError('unexpected "}"', t.line);
        if (!closing) throw new NginxSyntaxError('unexpected "}" outside a block', t.line);
        return out;
      }
      if (words.length === 0) throw new NginxSyntaxError(`unexpected "${t.kind}"`, t.line);
      const [name, ...args] = words.map((w) => w.text);
      const line = words[0].line;
      words = [];
      out.push(t.kind === ";" ? { name, args, line } : { name, args, line, block: parseBlock(true, t.line) });
    }
    if (words.length > 0)
      throw new NginxSyntaxError('unexpected end of file, expecting ";" or "}"', words[0].line);
    if (closing) throw new NginxSyntaxError('unexpected end of file, expecting "}"', openLine);
    return out;
  };
  return parseBlock(false, 1);
}

/** Every directive, depth first, with the names of the blocks it sits in. */
export function flatten(
  directives: readonly Directive[],
  within: readonly string[] = [],
): { directive: Directive; within: readonly string[] }[] {
  return directives.flatMap((d) => [
    { directive: d, within },
    ...(d.block ? flatten(d.block, [...within, d.name]) : []),
  ]);
}
