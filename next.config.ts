/**
 * Next.js configuration. The app is served by our own process (server/main.ts), so this file only
 * shapes how `next build` compiles app/.
 */
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // Native add-ons, WebAssembly engines and database drivers must be loaded by Node at run time,
  // never bundled: bundling breaks their relative .node/.wasm lookups.
  serverExternalPackages: [
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    '@tensorflow/tfjs-backend-wasm',
    '@prisma/client',
    '@prisma/adapter-pg',
    '@prisma/driver-adapter-utils',
    '@prisma/schema-engine-wasm',
    'pg',
    '@electric-sql/pglite',
    'pglite-prisma-adapter',
  ],
  // `npm run typecheck` (tsc --noEmit over the whole project) is the one type check; repeating it in
  // every build would double the build time on small machines and fail the user's `npm start` for a
  // type error in code the pages never load.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  reactStrictMode: true,
};

export default nextConfig;
