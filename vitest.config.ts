import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

/** Imports `.yaml` and `.lua` files as text, as the esbuild bundle does. */
function textFiles(): Plugin {
  return {
    name: 'text-files',
    enforce: 'pre',
    load(id) {
      const file = id.split('?')[0]!;
      if (file.endsWith('.yaml') || file.endsWith('.lua')) {
        return `export default ${JSON.stringify(readFileSync(file, 'utf8'))};`;
      }
      return undefined;
    },
  };
}

export default defineConfig({
  plugins: [textFiles()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
