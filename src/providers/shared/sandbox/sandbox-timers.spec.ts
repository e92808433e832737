import { SandboxTimers } from './sandbox-timers';

describe('SandboxTimers', () => {
  it('runs scheduled steps, and after clear() neither the pending ones nor any scheduled later', async () => {
    const timers = new SandboxTimers();
    const ran: string[] = [];
    await new Promise<void>((resolve) =>
      timers.after(0, () => {
        ran.push('before');
        resolve();
      }),
    );
    timers.after(0, () => void ran.push('pending'));
    timers.clear();
    // A step that was running when the app closed tries to schedule its retry.
    timers.after(0, () => void ran.push('after close'));
    // Node runs timers of one duration in the order they were set: had either step been
    // scheduled, it would have run before this one.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(ran).toEqual(['before']);
  });
});
