/**
 * Holds an index folder's build lock in a process of its own, as a CLI build would, until its
 * standard input closes (for stale-lock.test.ts). Prints "held" once it has the lock.
 */
import { lockIndex } from '../../src/index/index-store.ts';

const lock = await lockIndex(process.argv[2]!);
process.stdout.write('held\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void lock.release().then(() => process.exit(0));
});
