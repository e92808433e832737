// The Node test environment, plus one thing at the worker's exit.
//
// A jest worker ends its life holding 400–700 MB (ts-jest's TypeScript program plus the
// apps the e2e specs boot). Tearing that heap down after the event loop has emptied
// (V8's Heap::TearDown, then munmap) takes seconds on this kind of virtual machine,
// while jest gives a worker 500 ms before it force-kills it and prints "A worker process
// has failed to exit gracefully". No handle is left open (the workers' active handles are
// only jest's own pipes by then): the time goes to freeing memory. So once the worker
// reaches 'exit', its results are already sent and nothing is left to run: SIGKILL ends
// it without the teardown, and jest's pool counts a worker killed while it shuts down as
// a clean exit.
const { TestEnvironment } = require('jest-environment-node');

let exitHookInstalled = false;

function skipHeapTeardownAtExit() {
  if (exitHookInstalled || !process.env.JEST_WORKER_ID || typeof process.send !== 'function') return;
  exitHookInstalled = true;
  process.once('exit', () => process.kill(process.pid, 'SIGKILL'));
}

class GatewayTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    skipHeapTeardownAtExit();
  }
}

module.exports = GatewayTestEnvironment;
