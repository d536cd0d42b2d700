import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A parameter whose name starts with loss (a protocol file's lossBudget) is no loss: which
 * parameters a loss covers is read from the declarations (lossAtoB and lossBtoA), by plan's note
 * on the sweeps it holds and by the default scenario's loss where a flag changes its channel.
 */
// The messenger, sending the order only where lossBudget is at least 1.
const BUDGETED = `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'budgeted',
  outcomes: GENERALS_OUTCOMES,
  usesRounds: false,
  parameters: [{ name: 'lossBudget', description: 'sends only at 1 or more', minimum: 0, maximum: 3, integer: true, default: 1 }],
  configure: (params) => ({ sends: params.lossBudget >= 1 }),
  stateSize: () => 2,
  init: (state) => state.fill(0),
  next(state, config, step) {
    if (state[0] === 0 && config.sends) {
      step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.label = 'order';
    } else {
      step.kind = END; step.outcome = generalsOutcome(true, state[1] === 1);
    }
  },
  resolve(state, _config, _step, received) { state[1] = received; state[0] = 1; },
  describe: (state) => (state[1] ? 'B has the order' : 'B lacks it'),
});
`;

describe("plan's note on the file's sweeps it holds", () => {
  const dir = tempFiles({
    'lossy.mjs': BUDGETED,
    'b.yaml': 'protocol: ./lossy.mjs\nsweep:\n  lossBudget: [0, 1]\n  loss: [0.1, 0.5]\n',
    'd.yaml': 'protocol: messenger\nsweep:\n  lossAtoB: [0.1, 0.2]\n',
  });

  it("names a protocol file's parameter whose name starts with loss, held under --vary loss", async () => {
    const r = await cliIn(['plan', `${dir}/b.yaml`, '--vary', 'loss=0.1:0.5:0.1', '--target', 'success>=0.5', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^note: plan searches only what --vary names; the file's sweep of lossBudget is set aside, held at lossBudget 1 /);
  });

  it('names no per-direction loss that a varied loss sets', async () => {
    const r = await cliIn(['plan', `${dir}/d.yaml`, '--vary', 'loss=0.1:0.3:0.1', '--target', 'success>=0.5', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  });
});

describe("the default scenario's loss, under another channel", () => {
  const dir = tempFiles({ 'lossy.mjs': BUDGETED });

  it('is left out where a flag sets a protocol parameter whose name starts with loss', async () => {
    const r = await cliIn(['run', '--set', `protocol=${dir}/lossy.mjs`, '--set', 'channel=cut', '--set', 'lossBudget=0', '--trials', '1000', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\nseed-foot-soldiers,budgeted,cut,,2,1,0,0,both,1000,2026,0,0,1000,0,/);
  });
});
