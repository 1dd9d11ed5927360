export { WebhookSender, type WebhookSenderOptions, type DrainResult } from './sender.js';
export { messageForDecision, type WebhookMessage } from './payload.js';
export { signBody, verifySignature, SIGNATURE_HEADER, DELIVERY_HEADER, EVENT_HEADER } from './signature.js';
export {
  backoffDelayMs,
  parseRetryAfter,
  retryDelayMs,
  isRetryable,
  DEFAULT_BACKOFF,
  type BackoffPolicy,
} from './backoff.js';
