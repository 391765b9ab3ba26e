/** Three tiers, each a jest project: `npm run test:unit`, `test:services`, `test:docker`. */
const tier = (name, timeout) => ({
  displayName: name,
  preset: "ts-jest",
  testEnvironment: "node",
  testMatch: [`<rootDir>/test/${name}/**/*.test.ts`],
  testTimeout: timeout,
});

module.exports = {
  projects: [tier("unit", 60_000), tier("services", 120_000), tier("docker", 900_000)],
};
