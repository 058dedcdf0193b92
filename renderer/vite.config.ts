/**
 * Builds the renderer (Svelte 5) into dist/renderer with relative asset URLs, so the same files
 * load from Electron's app:// protocol and from `steerlab serve`.
 * Run: npm run build:renderer
 */
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [svelte({ compilerOptions: { runes: true } })],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // The page runs under a CSP without 'unsafe-inline': keep all CSS in files.
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
