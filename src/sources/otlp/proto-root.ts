import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import protobuf from 'protobufjs';

/**
 * The OTLP metrics messages, from the .proto files vendored in ./proto (see its README), loaded once.
 * `google.rpc.Status` (the error body OTLP/HTTP prescribes) is declared here with protobufjs' reflection API
 * rather than vendoring googleapis for three fields; its `details` (Any) are never sent.
 */
export interface OtlpTypes {
  request: protobuf.Type;
  response: protobuf.Type;
  status: protobuf.Type;
}

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));
let cached: OtlpTypes | undefined;

export function otlpTypes(): OtlpTypes {
  if (cached) return cached;
  const root = new protobuf.Root();
  // Imports in the files are relative to the proto root (opentelemetry/proto/...), not to the importing file.
  root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_DIR, target));
  root.loadSync('opentelemetry/proto/collector/metrics/v1/metrics_service.proto', { keepCase: false });
  const status = new protobuf.Type('Status')
    .add(new protobuf.Field('code', 1, 'int32'))
    .add(new protobuf.Field('message', 2, 'string'));
  root.define('google.rpc').add(status);
  root.resolveAll();
  cached = {
    request: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest'),
    response: root.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse'),
    status: root.lookupType('google.rpc.Status'),
  };
  return cached;
}
