import { createRequire } from 'node:module';

// Works from src/ (tsx) and dist/ alike: both sit two levels below the package root.
const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
export const VERSION = pkg.version;
