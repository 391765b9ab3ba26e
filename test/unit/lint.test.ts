/** `npm run lint` holds the import direction of docs/layout.md: a file importing upward fails it. */
import { execFile } from "node:child_process";
import { PROJECT_DIR } from "../support/project";

/** eslint on `source` as if it were the file `asFile`; resolves with its exit code and report. */
function lint(asFile: string, source: string): Promise<{ code: number; report: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ["node_modules/eslint/bin/eslint.js", "--stdin", "--stdin-filename", asFile],
      { cwd: PROJECT_DIR },
      (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, report: stdout }),
    );
    child.stdin?.end(source);
  });
}

describe("the import direction", () => {
  test.each([
    [
      "nginx/example.ts",
      'import type { FtpServer } from "../components/ftpServer";\nexport type X = FtpServer;\n',
      "nginx/ must not import from components/",
    ],
    [
      "spec/example.ts",
      'import { ftpContainerFiles } from "../containerFiles";\nexport const x = ftpContainerFiles;\n',
      "spec/ must not import from containerFiles/",
    ],
    [
      "bench/example.ts",
      'import { startStack } from "../test/services/stack";\nexport const x = startStack;\n',
      "bench/ must not import from test/services/",
    ],
  ])("fails lint when %s imports upward", async (file, source, message) => {
    const { code, report } = await lint(file, source);
    expect(code).toBe(1);
    expect(report).toContain(message);
  });

  it("passes lint for a renderer that imports the spec", async () => {
    const { code, report } = await lint(
      "nginx/example.ts",
      'import type { HttpSpec } from "../spec";\nexport type X = HttpSpec;\n',
    );
    expect(report).toBe("");
    expect(code).toBe(0);
  });
});
