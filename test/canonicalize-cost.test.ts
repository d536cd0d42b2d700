import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refusal } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A canonicalize may keep every outcome's probability and still change the cost: here a leader
 * pings its peers in order until one acknowledges, and canonicalize sorts the crashed peers
 * first. Whether some peer acknowledges does not depend on where the crashed ones sit; how many
 * pings go out first does. Compared on the outcomes alone, merging passed and `exact` printed
 * messengers 4.2531 (exit 0) where following every state unmerged gives 3.8709 (peers 4, loss
 * 0.4, crash rate 0.3 for the peers; `run` agrees with 3.8709).
 */
const protocol = (from: number): string =>
  `// A leader pings its peers in order, one round, until one acknowledges. Its canonicalize
// sorts the crashed peers first from four peers on: the same outcome, another cost.
export default ({ SEND, END, ROUND, A_TO_B, B_TO_A }) => ({
  name: 'first-ack',
  outcomes: { names: ['reached', 'silent'], success: [0], disagreement: [] },
  parameters: [{ name: 'peers', description: 'peers pinged in order', integer: true, minimum: 1, maximum: 8, default: 2 }],
  configure: (p) => ({ n: p.peers, start: p.crashes === 1 ? 1 : 0 }),
  stateSize: () => 5,
  init(state) {
    for (let i = 0; i < 5; i++) state[i] = 0;
  },
  next(state, { n, start }, step) {
    for (;;) {
      const clock = state[0];
      if (state[2] === 1) {
        step.kind = END;
        step.outcome = 0;
        return;
      }
      step.round = 1;
      if (clock < start) {
        step.kind = ROUND;
        return;
      }
      const i = (clock - start) >> 1;
      if (i >= n || state[4] === 1) {
        step.kind = END;
        step.outcome = 1;
        return;
      }
      step.peer = i;
      if (((clock - start) & 1) === 0) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.label = 'PING';
        return;
      }
      if (state[3] === 1) {
        step.kind = SEND;
        step.direction = B_TO_A;
        step.label = 'ACK';
        return;
      }
      state[0] = clock + 1;
    }
  },
  resolve(state, { start }, step, result) {
    const clock = state[0];
    if (step.kind !== ROUND) {
      if (((clock - start) & 1) === 0) state[3] = result;
      else {
        if (result === 1) state[2] = 1;
        state[3] = 0;
      }
    }
    state[0] = clock + 1;
  },
  canonicalize(state, { n, start }) {
    if (n < FROM || state[0] !== start) return;
    let down = 0;
    for (let rest = state[1]; rest !== 0; rest &= rest - 1) down++;
    state[1] = (1 << down) - 1;
  },
  describe: (state) => \`down \${state[1].toString(2)}\${state[2] ? ', acknowledged' : ''}\`,
  roles: ['leader', 'peer'],
  nodes: ({ n }) => [0, ...Array.from({ length: n }, () => 1)],
  crash(state, _config, node) {
    if (node === 0) state[4] = 1;
    else state[1] |= 1 << (node - 1);
  },
  crashed: (state, _config, node) => (node === 0 ? state[4] === 1 : (state[1] & (1 << (node - 1))) !== 0),
});
`.replace('FROM', String(from));

describe('a canonicalize that changes only the cost', () => {
  it('is refused by the exact engine in the cell check did not reach, not printed', async () => {
    // Wrong from four peers on: check explores one to three, where it sorts nothing.
    const dir = tempFiles({ 'first-ack.mjs': protocol(4), 's.yaml': 'protocol: ./first-ack.mjs\nloss: 0.4\nredundancy: 1\npeers: 4\ncrash: { peer: 0.3 }\n' });
    for (const args of [['exact'], ['run', '--trials', '1000']]) {
      const says = refusal(await cliIn([args[0]!, join(dir, 's.yaml'), ...args.slice(1), '--format', 'csv']), args[0]);
      assert.match(
        says,
        /first-ack\.mjs\): canonicalize changes the exact probability of 2 messages in a trial \(0\.252 without merging, 0\.086436 with\): it merges states whose futures differ/,
      );
    }
    // Without crashes nothing is sorted, and the values stand.
    const plain = await cliIn(['exact', join(dir, 's.yaml'), '--set', 'crash=0', '--format', 'csv']);
    assert.equal(plain.status, 0, plain.stderr);
  });

  it('is refused by check where its cells reach it', async () => {
    const dir = tempFiles({ 'first-ack.mjs': protocol(2) });
    const says = refusal(await cliIn(['check', join(dir, 'first-ack.mjs')]), 'check');
    assert.match(
      says,
      /breaks the protocol contract: cell rounds=1, peers=2, loss 0\.3, crash 0\.3: canonicalize changes the exact probability of 2 messages in a trial/,
    );
  });
});
