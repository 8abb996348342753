import type { Config } from 'jest';

// Two projects: unit tests are pure and fast; integration tests open real sockets on
// 127.0.0.1 and may spawn child processes, so they get longer timeouts.
const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // Sources import with explicit `.js` extensions (required for the ESM build).
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      // Type errors are the typecheck step's job; jest only transpiles, to CommonJS.
      { transpilation: true, tsconfig: { module: 'CommonJS', moduleResolution: 'Node10' } },
    ],
  },
} satisfies Config;

const config: Config = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.int\\.test\\.ts$'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int.test.ts'],
      slowTestThreshold: 10,
    },
  ],
};

export default config;
