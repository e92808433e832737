import { BackgroundLoop } from './background-loop';

describe('BackgroundLoop', () => {
  it('runs the next step at once when woken while a step was running (the wake is not lost)', async () => {
    let steps = 0;
    let wakeDuringFirst: () => void = () => undefined;
    let secondStep: () => void = () => undefined;
    const second = new Promise<void>((resolve) => (secondStep = resolve));
    const loop = new BackgroundLoop('test', () => {
      steps += 1;
      if (steps === 1) wakeDuringFirst();
      if (steps === 2) secondStep();
      // Without the kept wake, the loop would sleep a minute here.
      return Promise.resolve(60_000);
    });
    wakeDuringFirst = () => loop.wake();
    const started = Date.now();
    loop.start();
    await second;
    expect(Date.now() - started).toBeLessThan(5_000);
    await loop.stop();
    expect(steps).toBe(2);
  });
});
