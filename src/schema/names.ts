import { z } from 'zod';

/**
 * A service name: a Kubernetes name (DNS-1123 label) that also makes a valid Prometheus prefix once dashes become
 * underscores. One schema, so every format that names a service (policy, replay header) accepts the same names.
 */
export const serviceName = z
  .string()
  .max(63, 'at most 63 characters (a DNS-1123 label)')
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'a DNS-1123 label, e.g. maestro-api');
