export { startServer, type RunningServer, type ServerOptions } from './start-server.js';
export { createApp, type AppOptions } from './app.js';
export type { ServerLogger } from './logger.js';
export type { HttpErrorCode, ErrorBody } from './http-error.js';
export type { RolloutSummary } from './routes-rollouts.js';
export { limitRequestBody } from './body-limit.js';
