// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // `const { left, ...kept } = x` is how a property is left out of a copy.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // An async function without await is a plain way to return a promise (see memory-kv.ts).
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // supertest's res.body is `any` by design; tests assert its shape instead of typing it.
    files: ['test/**/*.ts', 'harness/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  // Imports point one way: src <- harness <- test/, scripts/, bench/ (no cycles between folders).
  ...[
    ['src/**/*.ts', ['harness', 'test', 'scripts', 'bench']],
    ['harness/**/*.ts', ['test', 'scripts', 'bench']],
    ['test/**/*.ts', ['scripts', 'bench']],
    ['scripts/**/*.ts', ['test', 'bench']],
    ['bench/**/*.ts', ['test', 'scripts']],
  ].map(([files, folders]) => ({
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `(^|/)(${folders.join('|')})/`,
              message: 'Shared tooling lives in harness/ and is imported downward from there.',
            },
          ],
        },
      ],
    },
  })),
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
