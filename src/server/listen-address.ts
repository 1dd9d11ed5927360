import { UsageError } from '../errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (loopback implied: binding every interface must be asked for
 * explicitly with `0.0.0.0:PORT`). Port 0 asks the OS for a free port.
 * @example parseListen('127.0.0.1:0') // {host: '127.0.0.1', port: 0}
 */
export function parseListen(listen: string): ListenAddress {
  const match = /^(?:\[([0-9a-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/i.exec(listen.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new UsageError(`--listen must be HOST:PORT (e.g. 127.0.0.1:8080, port 0 for a free one), got "${listen}"`);
  }
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A URL people can paste into a browser. */
export function urlFor(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
}
