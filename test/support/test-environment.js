// The Node test environment, plus a prompt end for the worker process.
//
// Jest ends a worker by sending it an END message, then allows it 500 ms to exit before
// it force-kills it and prints "A worker process has failed to exit gracefully". By
// then every result has been sent and nothing is left to run, yet a worker can miss
// those 500 ms without leaking anything: its process exits only once its event loop has
// emptied (a socket a closed app leaves in TIME_WAIT handling, a timer of a library that
// ends on its own), and a worker that ends holding a few hundred MB spends seconds in
// V8's heap teardown after 'exit'. So the worker ends itself with SIGKILL when END comes
// (its results are in jest's hands), and at 'exit' too; jest's pool counts a worker
// killed while it shuts down as a clean exit. A real leak is still reported: whatever
// else is active at END is named on stderr (reportLeftovers).
const { TestEnvironment } = require('jest-environment-node');

/** jest-worker's CHILD_MESSAGE_END (jest-worker/build/types.js). */
const CHILD_MESSAGE_END = 2;

/**
 * What a worker may hold once its specs are done: jest's IPC channel and its stdout/stderr
 * pipes, and requests that finish on their own (a closed socket's pending write or FIN).
 */
const EXPECTED_AT_END = /^(PipeWrap|TTYWrap|\w*ShutdownWrap|WriteWrap)$/;

let hooksInstalled = false;

/**
 * Killing the worker must not hide a leak: anything else still active when END comes (a
 * timer, a server, a socket a spec did not close) is named on stderr, once per worker.
 */
function reportLeftovers() {
  const leftovers = process.getActiveResourcesInfo().filter((resource) => !EXPECTED_AT_END.test(resource));
  if (leftovers.length > 0)
    process.stderr.write(
      `jest worker ${process.env.JEST_WORKER_ID} ended with resources its specs left open: ${leftovers.join(', ')}\n`,
    );
}

function endPromptlyWhenJestSaysSo() {
  if (hooksInstalled || !process.env.JEST_WORKER_ID || typeof process.send !== 'function') return;
  hooksInstalled = true;
  const end = () => process.kill(process.pid, 'SIGKILL');
  const onMessage = (message) => {
    if (!Array.isArray(message) || message[0] !== CHILD_MESSAGE_END) return;
    reportLeftovers();
    end();
  };
  process.on('message', onMessage);
  process.once('exit', end);
}

class GatewayTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    endPromptlyWhenJestSaysSo();
  }
}

module.exports = GatewayTestEnvironment;
