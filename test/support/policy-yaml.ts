/**
 * The canary.yaml that `run` tests write: a maestro-api CanaryPolicy with a 500 ms interval, then `spec`, the rest
 * of the spec block (each line indented two spaces, ending in a newline).
 */
export function maestroPolicyYaml(spec: string): string {
  return `apiVersion: adaptive-canary/v1
kind: CanaryPolicy
metadata: {name: maestro-api}
spec:
  service: maestro-api
  interval: 500ms
${spec}`;
}
