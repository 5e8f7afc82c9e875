/** Jest runs the TypeScript sources directly (ts-jest, ES modules). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: { warnOnly: false } }] },
  testMatch: ['<rootDir>/lib/**/*.test.ts', '<rootDir>/examples/**/*.test.ts', '<rootDir>/benchmarks/**/*.test.ts'],
  setupFiles: ['<rootDir>/lib/testing/setup.ts'],
  globalSetup: '<rootDir>/lib/testing/global-setup.cjs',
  testTimeout: 120000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/lib/testing/summary-reporter.cjs'],
};
