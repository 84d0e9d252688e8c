import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The sync administrators' console: a second entry beside the desktop screens
// (`npm run build:admin`, run from ui/), served by waystation-server at /admin/
// under a strict Content-Security-Policy (script-src 'self'; style-src 'self'; …):
// the build holds no inline script or style and no third-party origin. Hash
// routing, so the service serves only /admin/ and its assets.
export default defineConfig({
  plugins: [react()],
  root: "admin",
  base: "/admin/",
  publicDir: false,
  clearScreen: false,
  server: { host: "127.0.0.1", port: 1421, strictPort: true, fs: { allow: [".."] } },
  build: {
    target: "es2022",
    outDir: "../dist-admin",
    emptyOutDir: true,
    sourcemap: false,
    // Everything a file of its own: nothing inlined into the page.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
