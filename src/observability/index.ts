// The controller's entry to observability: silences, the rollback alert, annotations, the dashboard snapshot.
export {
  checkSilences,
  classifySilences,
  postRollbackAlert,
  rollbackAlert,
  type Silence,
  type SilenceCheck,
  type MutingSilence,
} from './alertmanager-client.js';
export {
  annotate,
  annotationBody,
  grafanaTarget,
  type AnnotateResult,
  type GrafanaTarget,
} from './grafana-annotations.js';
export { snapshotDashboard, type DashboardSnapshot } from './dashboard-snapshot.js';
export { inMaintenanceWindow, spanInMaintenanceWindow } from './maintenance-window.js';
export type { FetchLike } from './http.js';
