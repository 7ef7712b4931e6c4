import { defineConfig } from 'vitest/config';
export default defineConfig({
  // Nest resolves constructor injection from emitDecoratorMetadata; Vite 8's oxc transformer emits it.
  // (unplugin-swc would do the same, but @swc/core's lock entries break `npm ci` on this registry.)
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } } as any,
  test: {
    include: ['test/**/*.spec.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    pool: 'forks',
    // On the embedded database every test process shares one PGlite session whose socket server
    // interleaves connections message by message: run test files one at a time there.
    fileParallelism: Boolean(process.env.TEST_DATABASE_URL || process.env.DATABASE_URL),
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
  },
});
