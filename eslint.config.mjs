// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Import boundaries of architecture.md §1: a module imports only modules above it. */
const patternsFor = (from, forbidden) =>
  forbidden.map((target) => ({
    group: [`**/${target}/*`, `**/${target}`],
    message: `${from}/ must not import ${target}/ (architecture.md §1)`,
  }));

/**
 * The top of every picture: the OpenAPI document builder and the script entries import
 * the whole app; nothing in a module imports them (that was the app.setup ↔ openapi loop).
 */
const ENTRY_POINTS = ['api-docs', 'scripts'];

/** Every module above config/ and common/, which therefore may import none of them. */
const FEATURES = [
  'lifecycle',
  'persistence',
  'providers',
  'invitations',
  'ingress',
  'delivery',
  'health',
  'trace',
  'console',
  'retention',
];

/**
 * One boundary: `from`'s files (specs aside) may not import `forbidden` modules (nor the entry points).
 * `typeOnly` lists modules whose types may be imported, never their values: a type
 * leaves no runtime edge, so it makes no load-order loop.
 */
const boundary = (from, forbidden, { typeOnly = [], extra = [] } = {}) => ({
  files: [`src/${from}/**/*.ts`],
  // A unit spec may wire a real collaborator from below (e.g. a database for a store).
  ignores: ['src/**/*.spec.ts'],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          ...patternsFor(from, [...forbidden, ...ENTRY_POINTS]),
          ...patternsFor(from, typeOnly).map((pattern) => ({ ...pattern, allowTypeImports: true })),
          ...extra,
        ],
      },
    ],
  },
});

/** A simulator is built to the platform's documented shapes, never from the adapter it tests. */
const SANDBOX_PATTERNS = [
  {
    group: ['../*.mapper', '../*.errors', '../*.provider'],
    message: 'A simulator must not reuse the adapter it tests',
  },
];
const PROVIDERS_FORBIDDEN = ['persistence', 'invitations', 'ingress', 'delivery', 'health', 'trace', 'console'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    // Plain CommonJS scripts: the jest global setup, the ts-jest transformer, the benchmark.
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        setImmediate: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // config/ is the bottom: it knows no provider (the registrations hand it their schemas).
  boundary('config', ['common', 'observability', ...FEATURES]),
  // common/ reads config/ and reports to the telemetry port; the rate-limit buckets name
  // the database handle's type only (persistence/ builds on common/, not the reverse).
  boundary('common', ['lifecycle', 'providers', 'invitations', 'ingress', 'delivery', 'health', 'trace', 'console', 'retention'], {
    typeOnly: ['persistence'],
  }),
  boundary('lifecycle', [
    'persistence',
    'providers',
    'invitations',
    'ingress',
    'delivery',
    'health',
    'observability',
    'trace',
    'console',
  ]),
  boundary('persistence', ['providers', 'invitations', 'ingress', 'delivery', 'health', 'trace', 'console']),
  boundary('providers', PROVIDERS_FORBIDDEN),
  boundary('invitations', ['ingress', 'delivery', 'health', 'trace', 'console']),
  boundary('ingress', ['delivery', 'health', 'trace', 'console']),
  boundary('delivery', ['ingress', 'health', 'providers', 'trace', 'console']),
  boundary('health', ['ingress', 'delivery', 'trace', 'console']),
  // The telemetry port sits beside everything: it may read types and the database, never features.
  boundary('observability', ['invitations', 'ingress', 'delivery', 'health', 'trace', 'console'], {
    typeOnly: ['providers'],
  }),
  boundary('trace', ['ingress', 'delivery', 'health', 'console', 'providers']),
  boundary('console', ['ingress', 'delivery', 'health', 'trace', 'providers']),
  // Housekeeping on the tables: it reads no feature's code.
  boundary('retention', ['providers', 'invitations', 'ingress', 'delivery', 'health', 'trace', 'console']),
  boundary('api-docs', []),
  // A later block replaces an earlier one's options for the same rule and files (flat
  // config), so the simulators' block repeats the providers boundary and adds its own.
  {
    ...boundary('providers', PROVIDERS_FORBIDDEN, { extra: SANDBOX_PATTERNS }),
    files: ['src/providers/*/sandbox/**/*.ts'],
  },
);
