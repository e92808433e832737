// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Import boundaries of architecture.md §1: a module imports only modules above it. */
const boundary = (from, forbidden) => ({
  files: [`src/${from}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      { patterns: forbidden.map((target) => ({ group: [`**/${target}/*`, `**/${target}`], message: `${from}/ must not import ${target}/ (architecture.md §1)` })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    // Plain CommonJS scripts: the jest global setup, the ts-jest transformer, the benchmark.
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly', fetch: 'readonly', URL: 'readonly', Buffer: 'readonly', performance: 'readonly', setTimeout: 'readonly', setInterval: 'readonly', setImmediate: 'readonly', clearInterval: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  boundary('lifecycle', ['persistence', 'providers', 'invitations', 'ingress', 'delivery', 'health']),
  boundary('persistence', ['providers', 'invitations', 'ingress', 'delivery', 'health']),
  boundary('providers', ['persistence', 'invitations', 'ingress', 'delivery', 'health']),
  boundary('invitations', ['ingress', 'delivery', 'health']),
  boundary('ingress', ['delivery', 'health']),
  boundary('delivery', ['ingress', 'health']),
  boundary('health', ['ingress', 'delivery']),
  // The telemetry port sits beside everything: it may read types and the database, never features.
  boundary('observability', ['invitations', 'ingress', 'delivery', 'health', 'trace', 'console']),
  boundary('trace', ['ingress', 'delivery', 'health', 'console', 'providers']),
  boundary('console', ['ingress', 'delivery', 'health', 'trace', 'providers']),
  // Housekeeping on the tables: it reads no feature's code.
  boundary('retention', ['providers', 'invitations', 'ingress', 'delivery', 'health', 'trace', 'console']),
  {
    files: ['src/providers/*/sandbox/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*.mapper', '../*.errors', '../*.provider'], message: 'A simulator must not reuse the adapter it tests' }] },
      ],
    },
  },
);
