/**
 * Builds the React page (apps/shop/web) with Vite into web/dist, which the app serves at `/`.
 *
 * `npm start` runs this with `--if-stale` first, so a fresh clone builds the page once and
 * later starts skip the build unless a source file is newer than the output. Browser tests
 * call {@link ensureWebBuilt} too; a lock directory keeps two processes from building into
 * the same directory at once.
 *
 * @module
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The page's sources. */
export const WEB_ROOT = fileURLToPath(new URL('../web', import.meta.url));
const DIST = join(WEB_ROOT, 'dist');
/** Workspace sources bundled into the page (through the "source" condition), besides web/. */
const BUNDLED_PACKAGES = [fileURLToPath(new URL('../../../packages/client/src', import.meta.url))].filter((dir) => existsSync(dir));
const LOCK = join(WEB_ROOT, '.build-lock');
/** A lock older than this was left by a build that died. */
const STALE_LOCK_MS = 120_000;

function newestSource(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) {
    if (name === 'dist' || name === 'node_modules' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestSource(join(path, name)));
  }
  return newest;
}

/** Whether web/dist is missing or older than any source file, the bundled client's included. */
export function isWebBuildStale(): boolean {
  let built: number;
  try {
    built = statSync(join(DIST, 'index.html')).mtimeMs;
  } catch {
    return true;
  }
  return Math.max(newestSource(WEB_ROOT), ...BUNDLED_PACKAGES.map(newestSource)) > built;
}

function tryLock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    return false;
  }
}

/** Runs `vite build` for the page. */
export async function buildWeb(): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

/**
 * Builds the page unless it is up to date (or always, with `force`). Waits for a build that
 * another process is running instead of starting a second one. Resolves to whether this
 * call built it.
 */
export async function ensureWebBuilt({ force = false } = {}): Promise<boolean> {
  for (;;) {
    if (!force && !isWebBuildStale()) return false;
    if (tryLock()) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    // Checked again under the lock: another process may have just finished.
    if (!force && !isWebBuildStale()) return false;
    await buildWeb();
    return true;
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const force = !process.argv.includes('--if-stale');
  const started = performance.now();
  let built: boolean;
  try {
    built = await ensureWebBuilt({ force });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      // Installed without dev dependencies: the API still runs, and "/" says how to build.
      console.warn('shop: vite is not installed, so the page was not built; run `npm install` (with dev dependencies) and `npm run build -w @coatcheck/shop`.');
      return;
    }
    throw error;
  }
  if (built) console.log(`shop: built the page into ${DIST} in ${Math.round(performance.now() - started)} ms`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error('shop: building the page failed:', error);
    process.exitCode = 1;
  });
}
