/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The backend (python -m backend) serves /api/* and the built app from frontend/dist.
// During `npm run dev`, Vite proxies /api to it.
const backend = process.env.STUDIO_BACKEND_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps in the production build unless asked for (STUDIO_SOURCEMAPS=1 npm run build).
    sourcemap: process.env.STUDIO_SOURCEMAPS === '1',
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: true },
    },
    // Tests also read the cases the server's tests share (tests/contracts); the dev server serves only
    // the frontend.
    fs: process.env.VITEST ? { allow: ['.', '../tests/contracts'] } : undefined,
  },
  preview: {
    proxy: {
      '/api': { target: backend, changeOrigin: true },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    testTimeout: 30_000, // generous: a loaded CI machine is slow, never wrong
    css: false,
    include: ['src/**/*.test.{ts,tsx}'],
  },
})
