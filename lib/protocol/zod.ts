/**
 * zod, configured once for the protocol: every module of lib/protocol imports `z` from here, so the
 * setting applies before any schema is built. In the browser zod would probe `new Function` to
 * compile fast parsers; the pages' Content-Security-Policy (no 'unsafe-eval', server/http/security.ts)
 * forbids it and reports a violation, so the browser parses without (the server keeps the fast path).
 */
import { z } from 'zod';

if (typeof window !== 'undefined') z.config({ jitless: true });

export { z };
