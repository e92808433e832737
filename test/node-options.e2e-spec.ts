import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The service's node options (the V8 old-space and semi-space caps that keep its memory
 * bounded, issue 15 item 4) are written once in package.json `config.nodeOptions`, used by
 * `npm start`, `npm run start:prod` and the benchmark; the Dockerfile repeats them.
 */
describe('node options of the service', () => {
  const root = join(__dirname, '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    config: { nodeOptions: string };
    scripts: Record<string, string>;
  };

  it('are the same for npm start, start:prod and the Docker image', () => {
    const { nodeOptions } = pkg.config;
    expect(nodeOptions).toMatch(/^--max-old-space-size=\d+ --max-semi-space-size=\d+$/);
    for (const script of ['start', 'start:prod'])
      expect(pkg.scripts[script]).toContain('NODE_OPTIONS="${NODE_OPTIONS:-$npm_package_config_nodeOptions}"');
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toContain(`ENV NODE_OPTIONS="${nodeOptions}"`);
  });

  it('set the heap limit this Node honours', () => {
    const limitMb = Number(
      execFileSync(process.execPath, ['-p', "require('v8').getHeapStatistics().heap_size_limit / 1048576"], {
        env: { ...process.env, NODE_OPTIONS: pkg.config.nodeOptions },
      }).toString(),
    );
    const oldSpaceMb = Number(/--max-old-space-size=(\d+)/.exec(pkg.config.nodeOptions)?.[1]);
    const semiSpaceMb = Number(/--max-semi-space-size=(\d+)/.exec(pkg.config.nodeOptions)?.[1]);
    // The limit is the old space plus the young generation: three semi-spaces in V8 11
    // (Node 20; 16 MB each by default, so 48 MB without the option).
    expect(limitMb).toBeGreaterThanOrEqual(oldSpaceMb);
    expect(limitMb).toBeLessThanOrEqual(oldSpaceMb + 3 * semiSpaceMb + 1);
  });
});
