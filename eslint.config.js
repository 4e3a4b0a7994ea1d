// Lint rules: typescript-eslint's recommended set; type checking itself is `npm run typecheck`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'embeddings/', '.cache/', 'test/fixtures/tiny-model/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  { files: ['src/cli/**', 'src/bot/main.ts', 'src/bot/register.ts', 'test/**', 'tools/**'], rules: { 'no-console': 'off' } },
);
