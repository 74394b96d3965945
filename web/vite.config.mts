import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Built by `npm run build:web` (root: web/) into web/dist, which the relay serves at `/`.
// `npm run dev:web`: a dev server that proxies the API to a relay on 127.0.0.1:8080 (`npm run relay`).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // The relay's Content-Security-Policy forbids inline scripts: keep every module in a file.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    fs: { allow: [".."] },
    proxy: { "/v1": "http://127.0.0.1:8080" },
  },
});
