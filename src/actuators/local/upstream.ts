import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { UnreachableError, UsageError } from '../../errors.js';

export type UpstreamVariant = 'stable' | 'canary' | 'baseline';

export interface UpstreamOptions {
  variant: UpstreamVariant;
  /** `http://host:port[/base]`, or a shell command that serves HTTP on `$PORT` (also substituted for `{port}`). */
  target: string;
  /** How long a command may take to accept connections. */
  startTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called when a started command exits without being asked to (crash, OOM kill). */
  onExit?: (message: string) => void;
  /** Called right after a command is spawned (before it is ready), so its pid can be recorded durably. */
  onSpawn?: (pid: number, command: string) => void;
}

export function isUrlTarget(target: string): boolean {
  return /^https?:\/\//i.test(target);
}

async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.setTimeout(500);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
    sock.once('error', () => resolve(false));
  });
}

/**
 * One side of the router: an existing URL, or a command the router starts on a free loopback port and stops
 * when the rollout ends. A command that exits on its own is reported through `onExit` so the controller can
 * roll back and say why.
 */
export class Upstream {
  private child: ChildProcess | undefined;
  private stopping = false;
  private exitMessage: string | undefined;
  url: URL | undefined;

  constructor(private readonly opts: UpstreamOptions) {}

  get variant(): UpstreamVariant {
    return this.opts.variant;
  }

  /** False after a started command has exited; URLs are assumed up (the router's 502s tell the judge otherwise). */
  get up(): boolean {
    return this.exitMessage === undefined;
  }

  async start(): Promise<URL> {
    if (isUrlTarget(this.opts.target)) {
      try {
        this.url = new URL(this.opts.target);
      } catch {
        throw new UsageError(`--${this.opts.variant}: not a valid URL: ${this.opts.target}`);
      }
      return this.url;
    }
    const host = '127.0.0.1';
    const port = await freePort(host);
    const command = this.opts.target.replaceAll('{port}', String(port));
    const child = spawn(command, {
      shell: true,
      detached: true, // own process group, so stopping kills the whole command line (sh -c and its children)
      cwd: this.opts.cwd,
      env: { ...process.env, ...this.opts.env, PORT: String(port), HOST: host },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    if (child.pid !== undefined) this.opts.onSpawn?.(child.pid, command);
    let stderrTail = '';
    child.stderr?.on('data', (b: Buffer) => {
      stderrTail = (stderrTail + b.toString()).slice(-400);
    });
    child.once('exit', (code, signal) => {
      this.exitMessage =
        `${this.opts.variant} command exited (${signal ?? `code ${code}`})` +
        `${stderrTail ? `: ${stderrTail.trim().split('\n').pop()}` : ''}`;
      if (!this.stopping) this.opts.onExit?.(this.exitMessage);
    });
    await this.waitReady(host, port);
    this.url = new URL(`http://${host}:${port}`);
    return this.url;
  }

  private async waitReady(host: string, port: number): Promise<void> {
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (this.exitMessage)
        throw new UnreachableError(
          `${this.opts.variant} upstream`,
          `${this.exitMessage} before accepting connections on port ${port}`,
        );
      if (await canConnect(host, port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new UnreachableError(
      `${this.opts.variant} upstream`,
      `\`${this.opts.target}\` did not accept connections on ${host}:${port} ` +
        `(the command gets PORT=${port}) within ${this.opts.startTimeoutMs ?? 30_000}` +
        ` ms`,
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup(child.pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child.pid ?? 0, 'SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
