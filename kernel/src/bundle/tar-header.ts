/**
 * POSIX ustar headers for regular files (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html),
 * with a pax extended header when a name does not fit 100 bytes, is not ASCII, or a size needs more
 * than 11 octal digits. Written by hand so the bundler can frame files synchronously without a
 * stream per entry; GNU tar, bsdtar and tar-stream read the result.
 */

const BLOCK = 512;

/** Bytes of zero padding after `size` bytes of content. */
export function tarPadding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The two zero blocks that end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);

function octal(buf: Buffer, offset: number, width: number, value: number): void {
  buf.write(value.toString(8).padStart(width - 1, "0") + "\0", offset, width, "latin1");
}

function block(name: string, size: number, mtime: Date, type: "0" | "x", mode: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, "utf8");
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, Math.max(0, Math.floor(mtime.getTime() / 1000)));
  h.write("        ", 148, 8, "latin1");
  h.write(type, 156, 1, "latin1");
  h.write("ustar\u000000", 257, 8, "latin1");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "latin1");
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

const MAX_OCTAL_SIZE = 8 ** 11 - 1;

/**
 * The header block(s) of a regular file entry: a pax header first when needed.
 * @example out.write(tarFileHeader("export/a.csv", 12, new Date()));
 */
export function tarFileHeader(name: string, size: number, mtime: Date, mode = 0o644): Buffer {
  const ascii = /^[\u0020-\u007e]*$/.test(name);
  const records: string[] = [];
  if (!ascii || name.length > 100) records.push(paxRecord("path", name));
  if (size > MAX_OCTAL_SIZE) records.push(paxRecord("size", String(size)));
  const short = ascii && name.length <= 100 ? name : name.replace(/[^\u0020-\u007e]/g, "_").slice(-100);
  const main = block(short, size > MAX_OCTAL_SIZE ? 0 : size, mtime, "0", mode);
  if (records.length === 0) return main;
  const data = Buffer.from(records.join(""), "utf8");
  const pax = block(`PaxHeader/${short.slice(-90)}`, data.length, mtime, "x", 0o644);
  return Buffer.concat([pax, data, Buffer.alloc(tarPadding(data.length)), main]);
}
