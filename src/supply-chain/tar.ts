/**
 * Just enough of ustar to read the tarballs `kubectl sigstore sign` (default `--tarball yes`) puts inside its
 * message annotation: regular files only; directories, links and PAX headers are skipped.
 */
export interface TarEntry {
  name: string;
  content: Buffer;
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

export function readTar(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || size < 0) throw new Error('corrupt tar header (size)');
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = field(header, 257, 6).startsWith('ustar') ? field(header, 345, 155) : '';
    const name = prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100);
    const start = at + 512;
    if (start + size > tar.length) throw new Error(`corrupt tar: ${name} is truncated`);
    if (type === '0' || type === '\0') entries.push({ name, content: Buffer.from(tar.subarray(start, start + size)) });
    at = start + Math.ceil(size / 512) * 512;
  }
  return entries;
}
