import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'examples/**', 'test/fixtures/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The engine is pure: no @actions/*, no process.env, no network.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@actions/*',
            '@octokit/*',
            'node:child_process',
            'node:http',
            'node:https',
            '../run/*',
            '../report/*',
            '../github/*',
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env' }],
    },
  },
  {
    files: [
      'src/run/**/*.ts',
      'src/report/**/*.ts',
      'src/gate/**/*.ts',
      'src/cli/**/*.ts',
      'src/cache/**/*.ts',
      'src/gate.ts',
      'src/index.ts',
    ],
    ignores: ['src/github/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@actions/*', '@octokit/*'] }],
    },
  },
)
