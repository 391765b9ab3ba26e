/**
 * The test tiers, each a jest project: `npm run test:unit`, `test:services`, `test:docker`.
 * Hostile cases (bad input, faults, injection, load) live in the tier they run on, in files named
 * `*.hostile.test.ts`; `npm run test:hostile` runs just those, of all three tiers.
 */
const tier = (name, extra = {}) => ({
  displayName: name,
  preset: "ts-jest",
  testEnvironment: "node",
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  ...extra,
});

module.exports = {
  // Server tiers set longer timeouts on the tests that build images or move large files.
  testTimeout: 120_000,
  projects: [
    // No servers: a few seconds per test and per hook (jest 29 reads testTimeout only globally).
    tier("unit", { setupFilesAfterEnv: ["<rootDir>/test/unit/timeout.ts"] }),
    tier("services"),
    tier("docker"),
  ],
};
