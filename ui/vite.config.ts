import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The app loads the built files through Tauri's asset protocol (no dev server), under a
// CSP without 'unsafe-inline': no inline scripts or styles may be emitted.
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
