/** The test tiers, each a jest project: `npm run test:unit`, `test:services`, `test:docker`, `test:reliability`. */
const tier = (name) => ({
  displayName: name,
  preset: "ts-jest",
  testEnvironment: "node",
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
});

module.exports = {
  // Server tiers set longer timeouts on the tests that build images or move large files.
  testTimeout: 120_000,
  projects: [tier("unit"), tier("services"), tier("docker"), tier("reliability")],
};
