import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bin/**', 'jest.config.js', 'eslint.config.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      complexity: ['warn', 15],
      'max-depth': ['warn', 4],
    },
  },
  {
    // Only src/kubernetes talks to the Kubernetes client library.
    files: ['src/**/*.ts'],
    ignores: ['src/kubernetes/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@kubernetes/client-node', message: 'only src/kubernetes imports the client' },
            { name: 'netmask', message: 'a devDependency: an oracle for tests and bench/, never shipped' },
          ],
        },
      ],
    },
  },
  {
    // Production code never reaches into the test suite or the developer tools (stand-ins, harnesses).
    files: ['src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(test|tools)/',
              message: 'src/ imports neither test/ nor tools/ (they import src/).',
            },
          ],
        },
      ],
    },
  },
  {
    // Benchmarks and tools are built and run without the test suite: they import src/ and tools/ only.
    files: ['bench/**/*.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)test/', message: 'bench/ and tools/ never import test/.' }] },
      ],
    },
  },
  {
    // The simulated MetalLB is written from MetalLB's behaviour on its own, so that a test of a fix does not check
    // the engine against itself. Types of the snapshot are shared; no engine code is.
    files: ['tools/kube-stand-in/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)src/drift(/|$)',
              allowTypeImports: true,
              message: 'the stand-in simulates MetalLB on its own: import only types from src/drift.',
            },
            // Repeated from the bench/tools block above: in flat config the later block's rule replaces it.
            { regex: '(^|/)test/', message: 'bench/ and tools/ never import test/.' },
          ],
        },
      ],
    },
  },
  {
    // The drift engine, the fix plans and the preview are pure: no I/O, no SDKs, no clock (ARCHITECTURE.md).
    files: ['src/drift/**/*.ts', 'src/fixes/**/*.ts', 'src/preview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@kubernetes/*',
                '@slack/*',
                'bullmq',
                'ioredis',
                'node:fs',
                'fs',
                'node:net',
                'net',
                'node:http',
                'http',
                'node:https',
                'https',
                'fs/promises',
                'node:fs/promises',
              ],
              message: 'src/drift, src/fixes and src/preview are pure: pass data in, no I/O.',
            },
            {
              group: ['netmask'],
              message:
                'netmask reads neither IPv6 nor a-b ranges, and is only a devDependency (an oracle in tests)',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'time is passed in (ctx.now)',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'time is passed in (ctx.now)',
        },
      ],
    },
  },
  {
    // Approvals take their time from the caller, so expiry is testable and one clock decides (issue 9).
    files: ['src/approvals/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'time is passed in (at)',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'time is passed in (at)',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
