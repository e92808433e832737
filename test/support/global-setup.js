// Builds dist/ when it is missing or older than src/: the crash and multi-replica specs
// start the compiled service as child processes, exactly as production runs it.
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

module.exports = async () => {
  // Once per run, as a plain line (a console.warn inside a spec prints a stack trace that
  // reads like a failure).
  if (!process.env.TEST_DATABASE_URL)
    process.stdout.write('\nTEST_DATABASE_URL is not set: the PostgreSQL runs of the e2e specs are skipped.\n');
  const main = join(root, 'dist', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestSource(join(root, 'src'))) return;
  execSync('npx nest build', { cwd: root, stdio: 'inherit' });
};
