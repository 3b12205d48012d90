// @swc/jest compiles TypeScript without type checking (tsc --noEmit runs in `npm run typecheck`).
// @kubernetes/client-node 1.x and its OIDC dependencies are ESM-only: Jest on Node 20 cannot require(esm),
// so those four packages are transformed to CommonJS too (docs/adr/0001-node20-client-node-1x-swc-jest.md).
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose)/)'],
  testTimeout: 30000,
  // Jest's default is one worker per core but one: a single worker on the 2-core CI machine. Most suites wait on
  // child processes, Redis and the stand-ins rather than compute, so two workers halve the wall time there; the
  // fault suites are written for a loaded machine (docs/reliability.md).
  maxWorkers: 2,
};
