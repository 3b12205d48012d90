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
        { paths: [{ name: '@kubernetes/client-node', message: 'only src/kubernetes imports the client' }] },
      ],
    },
  },
  {
    // The drift engine and the fix plans are pure: no I/O, no SDKs, no clock (STYLE.md).
    files: ['src/drift/**/*.ts', 'src/fixes/**/*.ts'],
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
              message: 'src/drift and src/fixes are pure: pass data in, no I/O.',
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
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
