import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The specs are only transpiled (tsconfig.json's isolatedModules: each file on its own, no
 * type checker in the jest workers, which keeps them small and quick). The types of
 * everything — src/, test/ and the generated client — are checked here instead, once, by
 * the compiler in a process of its own: a type error anywhere fails the run.
 */
describe('types', () => {
  it('src/, test/ and openapi/client/ type-check (tsc --noEmit -p tsconfig.json)', () => {
    const root = join(__dirname, '..');
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect({ status: run.status, diagnostics: run.stdout + run.stderr }).toEqual({ status: 0, diagnostics: '' });
  }, 300_000);
});
