import type { NextConfig } from "next";
import { securityHeaders } from "./lib/http/security-headers";

const config: NextConfig = {
  // Separate build dirs let a test run build without clobbering a running app.
  distDir: process.env.PITWALL_NEXT_DIST_DIR ?? ".next",
  // The database drivers hold native/wasm state; Next must load them, not bundle them.
  serverExternalPackages: ["@electric-sql/pglite", "postgres", "pino", "ioredis"],
  poweredByHeader: false,
  // `npm test` runs tsc over the whole tree (tests included) once; the build need not repeat it.
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders() }];
  },
};

export default config;
