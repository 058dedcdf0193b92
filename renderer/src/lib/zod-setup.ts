/**
 * Must be the first import of main.ts: zod 4 decides at schema construction whether it may
 * compile parsers with `new Function`, probing for eval. Our CSP forbids eval, and the probe
 * itself is reported as a CSP violation, so switch to the interpreted parsers before any schema
 * (the contract's) is built.
 */
import { z } from 'zod';

z.config({ jitless: true });
