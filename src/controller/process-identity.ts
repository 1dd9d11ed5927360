import { readFileSync } from 'node:fs';

/**
 * Telling "the process we started" from "a process that got its pid later": a pid plus its start time. On Linux
 * the start time is field 22 of /proc/<pid>/stat (clock ticks since boot), fixed for the life of a process, so
 * a recycled pid has a different one. Elsewhere there is no /proc and identity falls back to the pid alone.
 */
export interface ProcessIdentity {
  pid: number;
  /** /proc start time; undefined where /proc is not available. */
  start?: string;
}

/** Fields 3.. of /proc/<pid>/stat (state, ppid, ...), or undefined without /proc or once the pid is gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function processStart(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

export function identify(pid: number): ProcessIdentity {
  const start = processStart(pid);
  return start === undefined ? { pid } : { pid, start };
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    // A zombie (exited, not yet reaped by its parent) still answers signal 0 but runs nothing.
    return statFields(pid)?.[0] !== 'Z';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True while the very process identified is alive (not merely some process with that pid). */
export function isSameProcess(id: ProcessIdentity): boolean {
  if (!pidAlive(id.pid)) return false;
  if (id.start === undefined) return true;
  const now = processStart(id.pid);
  return now === undefined ? true : now === id.start;
}
