// File I/O for model files: the atomic save (temporary file, fsync, rename, folder fsync) and the
// capped read. Knows bytes and paths only: it never parses JSON, never imports a model, and never
// touches a file other than the target and its own temporary file.
import { closeSync, constants as fsConstants, fchmodSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlasnetError, BlasnetRangeError, BlasnetTypeError, blasnetError, describe } from './errors.js';

/**
 * A path argument as a string: a non-empty path or a file: URL.
 * @param path - the caller's value
 * @param name - the argument's name, for the error message
 * @returns the path as a string
 * @throws {TypeError} ERR_BLASNET_ARG_TYPE for anything else (an empty string, a NUL byte, an http: URL, …)
 * @example checkPath(new URL('file:///tmp/m.json')) // '/tmp/m.json'
 */
export function checkPath(path: unknown, name = 'path'): string {
  if (path instanceof URL) {
    if (path.protocol !== 'file:') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a file path or a file: URL, got a ${path.protocol} URL`);
    return fileURLToPath(path);
  }
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be a non-empty file path (string or file: URL), got ${describe(path)}`);
  }
  return path;
}

/** The fields a Node system error carries (declared here so that the emitted types need no @types/node). */
interface SystemErrorFields {
  code?: unknown;
  errno?: unknown;
  syscall?: unknown;
  path?: unknown;
}

/**
 * ERR_BLASNET_IO for a file-system failure: the message says what blasnet was doing, and where, and
 * `cause` is the system error (so `e.cause.code` is ENOENT, EACCES, …). blasnet's own errors pass
 * through unchanged.
 */
function fileError(e: unknown, action: string, path: string): Error {
  if (e instanceof BlasnetError) return e;
  const err = e as SystemErrorFields & Error;
  const detail = e instanceof Error ? err.message : String(e);
  return blasnetError('ERR_BLASNET_IO', `${action} ${JSON.stringify(path)}: ${detail}`, { cause: e });
}

/** ERR_BLASNET_IO for a refusal blasnet decides itself (a folder, a special file), its cause a system-like error with that code. */
function systemLikeError(code: string, message: string, path: string): Error {
  const cause = Object.assign(new Error(`${code}: ${message}`), { code, path });
  return blasnetError('ERR_BLASNET_IO', message, { cause });
}

/**
 * Writes `text` (UTF-8) to `target` atomically: it goes to a new temporary file in the same folder
 * (`${target}.${pid}.${random}.tmp`, created with O_EXCL), which is fsynced, closed, renamed over
 * `target`, and then the folder is fsynced. A crash at any moment leaves either the previous file or
 * the complete new one (a killed process may leave its temporary file behind). The replaced file's
 * permission bits are kept; a symlink at `target` is replaced, not followed. On failure the
 * temporary file is removed and `target` is untouched.
 * @param target - the destination path (already checked with checkPath)
 * @param text - the complete file content
 * @param what - what is written, for error messages (e.g. 'the model')
 * @throws {BlasnetError} ERR_BLASNET_IO naming the path, its cause the file system's error (code ENOENT, EACCES, EISDIR, EXDEV, …)
 * @example await writeFileAtomic('/srv/model.json', text, 'the model');
 */
export async function writeFileAtomic(target: string, text: string, what: string): Promise<void> {
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let existing: Stats | undefined;
  try {
    existing = await stat(target);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) {
    throw systemLikeError('EISDIR', `cannot save ${what} to ${JSON.stringify(target)}: it is a directory`, target);
  }
  let fh: FileHandle | undefined;
  try {
    try {
      // O_EXCL: never write through a file that appeared under our unique name.
      fh = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o666);
    } catch (e) {
      throw fileError(e, 'cannot create the temporary file for', tmp);
    }
    try {
      if (existing?.isFile()) await fh.chmod(existing.mode & 0o777).catch(() => {});
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } catch (e) {
      throw fileError(e, `cannot write ${what} to`, tmp);
    }
    const closing = fh;
    fh = undefined;
    try {
      await closing.close();
    } catch (e) {
      throw fileError(e, `cannot write ${what} to`, tmp);
    }
    try {
      await rename(tmp, target);
    } catch (e) {
      throw fileError(e, `cannot move ${what} into place at`, target);
    }
  } catch (e) {
    if (fh) await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncDirectory(dirname(target));
}

/**
 * writeFileAtomic on the calling thread (the same steps, synchronous calls): for a caller that must
 * not return to the event loop in between, such as a checkpoint of `fitSync`.
 * @param target - the destination path (already checked with checkPath)
 * @param text - the complete file content
 * @param what - what is written, for error messages (e.g. 'the checkpoint')
 * @throws {BlasnetError} ERR_BLASNET_IO naming the path, its cause the file system's error
 * @example writeFileAtomicSync('/srv/model.json', text, 'the checkpoint');
 */
export function writeFileAtomicSync(target: string, text: string, what: string): void {
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let existing: Stats | undefined;
  try {
    existing = statSync(target);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) {
    throw systemLikeError('EISDIR', `cannot save ${what} to ${JSON.stringify(target)}: it is a directory`, target);
  }
  let fd: number | undefined;
  try {
    try {
      fd = openSync(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o666);
    } catch (e) {
      throw fileError(e, 'cannot create the temporary file for', tmp);
    }
    try {
      if (existing?.isFile()) {
        try {
          fchmodSync(fd, existing.mode & 0o777);
        } catch {
          // as writeFileAtomic: the permission bits are kept where the system allows it
        }
      }
      writeFileSync(fd, text, 'utf8');
      fsyncSync(fd);
    } catch (e) {
      throw fileError(e, `cannot write ${what} to`, tmp);
    }
    const closing = fd;
    fd = undefined;
    try {
      closeSync(closing);
    } catch (e) {
      throw fileError(e, `cannot write ${what} to`, tmp);
    }
    try {
      renameSync(tmp, target);
    } catch (e) {
      throw fileError(e, `cannot move ${what} into place at`, target);
    }
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already failing
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to remove
    }
    throw e;
  }
  syncDirectorySync(dirname(target));
}

function syncDirectorySync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch (e) {
    if (ignorableSyncError(e)) return;
    throw fileError(e, 'cannot open the folder to fsync it:', dir);
  }
  try {
    fsyncSync(fd);
  } catch (e) {
    if (!ignorableSyncError(e)) throw fileError(e, 'cannot fsync the folder', dir);
  } finally {
    try {
      closeSync(fd);
    } catch {
      // the fsync's outcome stands
    }
  }
}

/** fsync a folder so a rename in it is durable; platforms that cannot (EISDIR, EINVAL, …) skip it. */
async function syncDirectory(dir: string): Promise<void> {
  let dh: FileHandle;
  try {
    dh = await open(dir, 'r');
  } catch (e) {
    if (ignorableSyncError(e)) return;
    throw fileError(e, 'cannot open the folder to fsync it:', dir);
  }
  try {
    await dh.sync();
  } catch (e) {
    if (!ignorableSyncError(e)) throw fileError(e, 'cannot fsync the folder', dir);
  } finally {
    await dh.close().catch(() => {});
  }
}

function ignorableSyncError(e: unknown): boolean {
  const code = (e as SystemErrorFields | null)?.code;
  return code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'EACCES' || code === 'ENOTSUP' || code === 'EBADF';
}

/**
 * The bytes of a regular file of at most `maxBytes`, checked before reading (stat, then again on the
 * open handle, since the file may be replaced in between). A file that shrinks while being read
 * yields what was there.
 * @param file - the path (already checked with checkPath)
 * @param maxBytes - the cap
 * @param src - how the file is named in a size error (e.g. 'model file "/m.json"')
 * @returns the file's bytes
 * @throws {BlasnetError} ERR_BLASNET_IO naming the path, its cause the file system's error (ENOENT,
 *   EACCES, …), EISDIR for a folder, EINVAL for a non-regular file
 * @throws {RangeError} ERR_BLASNET_ARG_RANGE for a file larger than maxBytes
 * @example const bytes = await readFileCapped('/srv/model.json', 256 * 2 ** 20, 'model file "/srv/model.json"');
 */
export async function readFileCapped(file: string, maxBytes: number, src: string): Promise<Uint8Array> {
  let st: Stats;
  try {
    st = await stat(file);
  } catch (e) {
    throw fileError(e, 'cannot read the model file', file);
  }
  if (st.isDirectory()) throw systemLikeError('EISDIR', `cannot read the model file ${JSON.stringify(file)}: it is a directory, not a file`, file);
  if (!st.isFile()) throw systemLikeError('EINVAL', `cannot read the model file ${JSON.stringify(file)}: it is not a regular file`, file);
  if (st.size > maxBytes) throw tooBig(src, st.size, maxBytes);
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw fileError(e, 'cannot read the model file', file);
  }
  try {
    const size = (await fh.stat()).size;
    if (size > maxBytes) throw tooBig(src, size, maxBytes);
    const buf = new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break; // shrank while being read: what is there gets validated
      off += bytesRead;
    }
    return off === size ? buf : buf.subarray(0, off);
  } catch (e) {
    throw fileError(e, 'cannot read the model file', file);
  } finally {
    await fh.close().catch(() => {});
  }
}

function tooBig(src: string, size: number, maxBytes: number): BlasnetRangeError {
  return new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `${src} is ${size} bytes, above the limit of ${maxBytes} bytes (options.maxBytes); raise options.maxBytes if the file is trusted`);
}
