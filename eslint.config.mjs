// Lint: typescript-eslint's recommended rules, and the direction of imports between folders
// (docs/layout.md): spec/ → renderers → containerFiles/ → components/ → index.ts.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

/** Folders a file in `folder` must not import from: everything above it. */
const above = {
  spec: [
    "nginx",
    "vsftpd",
    "sftp",
    "containerFiles",
    "components",
    "scripts",
    "bench",
    "test",
    "worker/settings",
  ],
  nginx: ["vsftpd", "sftp", "containerFiles", "components", "scripts", "bench", "test", "worker/settings"],
  vsftpd: ["nginx", "sftp", "containerFiles", "components", "scripts", "bench", "test", "worker/settings"],
  sftp: ["nginx", "vsftpd", "containerFiles", "components", "scripts", "bench", "test", "worker/settings"],
  worker: ["nginx", "vsftpd", "containerFiles", "components", "scripts", "bench", "test"],
  // After worker/: the runtime is compiled alone in its image, so it imports nothing of the project.
  "worker/src": ["spec", "nginx", "vsftpd", "containerFiles", "components", "scripts", "bench", "test"],
  containerFiles: ["components", "scripts", "bench", "test"],
  components: ["scripts", "bench", "test"],
  scripts: ["components", "bench", "test"],
  bench: ["components", "test/services", "test/docker", "test/unit"],
};

const direction = Object.entries(above).map(([folder, forbidden]) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: forbidden.map((f) => ({
          group: [`**/${f}`, `**/${f}/**`, `../${f}`, `../${f}/**`],
          message: `${folder}/ must not import from ${f}/: imports go down only (docs/layout.md).`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "bin/**",
      "worker/dist/**",
      // hls.js as its npm package ships it (nginx/static/hls.ts checks it is that file).
      "nginx/static/hls.min.js",
      ".pulumi/**",
      "test-output/**",
      "bench/results/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: {
        require: "readonly",
        module: "writable",
        process: "readonly",
        __dirname: "readonly",
        Buffer: "readonly",
        console: "readonly",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  ...direction,
  // The soak, the deployed-path workload and the access-log bench run against the realized
  // containers, and the realizer is the docker tier's: these files may use its stack (and
  // nothing else of the tiers).
  {
    files: ["bench/soak.ts", "bench/workloads/deployed.ts", "bench/accessLog.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: ["components", "test/services", "test/unit"].map((f) => ({
            group: [`**/${f}`, `**/${f}/**`, `../${f}`, `../${f}/**`],
            message: `bench/ files that realize the stack must not import from ${f}/ (docs/layout.md).`,
          })),
        },
      ],
    },
  },
  prettier,
);
