/**
 * Writing a set of output files all-or-nothing: everything is first written into a temporary
 * folder beside the output folder (same file system), then each file is renamed into place.
 * An error while producing or writing the files leaves the output folder as it was; files in
 * it that are not part of the set are never touched.
 */
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { InputError } from '../errors.ts';

/** Checks a relative output path: no absolute paths, no "..", no empty segments. */
function checkRelative(outDir: string, path: string): void {
  const parts = path.split(/[\\/]/);
  if (path === '' || /^[\\/]/.test(path) || /^[a-zA-Z]:/.test(path) || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new InputError(`${outDir}: output file name '${path}' must be a relative path inside the output folder`);
  }
}

/** The output path must be a folder or not exist yet; a file there (or above it) is an InputError. */
async function checkFolder(outDir: string, target: string): Promise<void> {
  try {
    if (!(await stat(target)).isDirectory()) throw new InputError(`${outDir}: is a file, not a folder (choose another --out)`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new InputError(`${outDir}: a part of the path is a file, not a folder`);
    if (code !== 'ENOENT') throw new InputError(`${outDir}: cannot use the output folder (${code ?? (e as Error).message})`);
  }
}

/**
 * Writes `files` (relative path -> content) into `outDir`, creating it if missing. Existing files
 * with the same names are replaced; other files in outDir are kept. Paths are written in sorted
 * order, so the result does not depend on the Map's insertion order.
 */
export async function writeOutputsAtomically(outDir: string, files: Map<string, string | Buffer>): Promise<void> {
  // An empty name would resolve to the working directory and scatter the outputs there.
  if (outDir.trim() === '') throw new InputError('output folder: empty name (give a folder, e.g. --out results)');
  const target = resolve(outDir);
  const names = [...files.keys()].sort();
  for (const name of names) checkRelative(outDir, name);
  const parent = dirname(target);
  await checkFolder(outDir, target);
  try {
    await mkdir(parent, { recursive: true });
  } catch (e) {
    throw new InputError(`${outDir}: cannot create the output folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const staging = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  try {
    for (const name of names) {
      const path = join(staging, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, files.get(name)!);
    }
    await mkdir(target, { recursive: true });
    for (const name of names) {
      const dest = join(target, name);
      if (!dest.startsWith(target + sep)) throw new InputError(`${outDir}: output file name '${name}' leaves the output folder`);
      await mkdir(dirname(dest), { recursive: true });
      await rename(join(staging, name), dest);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
