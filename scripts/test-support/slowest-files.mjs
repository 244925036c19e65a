// A node:test reporter that prints the slowest test files at the end of a run: the sum of each
// file's top-level test durations (module loading not included). CI's time budget is kept by
// looking here first.
const SHOWN = 12;

/** @param {AsyncIterable<{ type: string, data: any }>} source */
export default async function* slowestFiles(source) {
  const seconds = new Map();
  for await (const event of source) {
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.nesting === 0 && event.data.file) {
      const file = event.data.file.replace(`${process.cwd()}/`, '');
      seconds.set(file, (seconds.get(file) ?? 0) + (event.data.details?.duration_ms ?? 0) / 1000);
    }
  }
  const slowest = [...seconds].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  if (slowest.length === 0) return;
  yield `\nslowest test files (sum of top-level tests):\n`;
  for (const [file, s] of slowest) yield `  ${s.toFixed(1).padStart(7)} s  ${file}\n`;
}
