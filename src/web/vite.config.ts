import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The console: built from src/web into src/web/dist, which the Koa app serves at `/`. */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under /assets: web.ts caches them for a year.
    assetsDir: 'assets',
    sourcemap: false,
  },
  server: {
    // `npx vite --config src/web/vite.config.ts` against a running leadgate on 8080.
    proxy: Object.fromEntries(['/api', '/webapi', '/sandbox'].map((p) => [p, 'http://127.0.0.1:8080'])),
  },
});
