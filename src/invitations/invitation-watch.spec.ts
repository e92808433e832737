import { InProcessChangeFeed } from '../persistence/change-feed';
import type { InvitationRecord } from './invitation.model';
import type { InvitationRepository } from './invitation.repository';
import { InvitationWatch, type WatchUpdate } from './invitation-watch';

/** A repository whose reads wait until the test lets each one finish. */
function heldReads(): { repository: InvitationRepository; reads: number; finish: () => void } {
  const pending: Array<() => void> = [];
  const state = {
    reads: 0,
    finish: () => pending.shift()?.(),
    repository: {
      findById: (id: string) => {
        state.reads += 1;
        return new Promise<InvitationRecord>((resolve) =>
          pending.push(() => resolve({ id, lastSequence: state.reads } as unknown as InvitationRecord)),
        );
      },
    } as unknown as InvitationRepository,
  };
  return state;
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('InvitationWatch', () => {
  it('folds the changes that come during a read into one more read, and says when a read is in flight', async () => {
    const feed = new InProcessChangeFeed();
    const held = heldReads();
    const watch = new InvitationWatch(held.repository, feed);
    const updates: WatchUpdate[] = [];
    const unwatch = watch.watch('inv-1', (update) => updates.push(update));
    expect(watch.isReading('inv-1')).toBe(false);

    await feed.publish('inv-1');
    expect(watch.isReading('inv-1')).toBe(true);
    // Two more changes while the first read is under way: one more read, not two.
    await feed.publish('inv-1');
    await feed.publish('inv-1');
    expect(held.reads).toBe(1);

    held.finish();
    await settled();
    expect(held.reads).toBe(2);
    expect(watch.isReading('inv-1')).toBe(true);

    held.finish();
    await settled();
    expect(held.reads).toBe(2);
    expect(watch.isReading('inv-1')).toBe(false);
    expect(updates).toHaveLength(2);

    unwatch();
    expect(watch.watchers('inv-1')).toBe(0);
    expect(watch.isReading('inv-1')).toBe(false);
  });
});
