import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * A commit trial's outcome, told where some node crashed: the outcomes count the decisions made,
 * and a node that crashed in doubt made none, so the story must not say "every cohort committed"
 * of a trial counted committed whose cohort crashed holding a YES vote. A trial without crashes
 * is told as before.
 */
describe('trace: commit outcomes told as the crashes leave them', () => {
  it('a committed trial where a cohort crashed in doubt is not told as every cohort committed', async () => {
    // Two cohorts on a reliable link: both vote YES in round 1 unless one crashed; one that
    // crashes at the start of round 2 is in doubt and down, and the trial counts committed.
    const dir = tempFiles({
      'commit.yaml': 'protocol: two-phase-commit\nparticipants: 2\nloss: 0\nredundancy: 1\nrounds: 1\ncrash: { cohort: 0.3 }\ntrials: 40\nseed: 7\n',
    });
    let crashedCommitted = 0;
    let firstCrashedCommitted = 0;
    let plainCommitted = 0;
    for (let trial = 1; trial <= 40; trial++) {
      const r = await cliIn(['trace', join(dir, 'commit.yaml'), '--trial', String(trial)]);
      assert.equal(r.status, 0, r.stderr);
      const outcome = /^outcome: (.*)$/m.exec(r.stdout)![1]!;
      const crashed = /Cohort \d crashes/.test(r.stdout);
      if (!outcome.startsWith('every cohort committed') && !outcome.startsWith('committed:')) continue;
      if (crashed) {
        crashedCommitted++;
        firstCrashedCommitted ||= trial;
        assert.match(r.stdout, /voted YES \(crashed\)/, `trial ${trial}: a committed trial with a crash has a cohort down in doubt`);
        assert.doesNotMatch(outcome, /every cohort committed/, `trial ${trial}`);
        assert.match(outcome, /^committed: every decision made is COMMIT/, `trial ${trial}`);
      } else {
        plainCommitted++;
        assert.match(outcome, /^every cohort committed; /, `trial ${trial}: no crash, told as before`);
      }
    }
    assert.ok(crashedCommitted > 0 && plainCommitted > 0, `${crashedCommitted} committed with a crash, ${plainCommitted} without`);
    const mermaid = await cliIn(['trace', join(dir, 'commit.yaml'), '--trial', String(firstCrashedCommitted), '--format', 'mermaid']);
    assert.equal(mermaid.status, 0, mermaid.stderr);
    assert.doesNotMatch(mermaid.stdout, /every cohort committed/);
  });

  it('a trial where every node crashed before deciding is not told as aborted everywhere', async () => {
    const dir = tempFiles({ 'down.yaml': 'protocol: two-phase-commit\nparticipants: 2\nloss: 0\ncrash: 1\ntrials: 10\n' });
    const r = await cliIn(['trace', join(dir, 'down.yaml'), '--trial', '1']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^outcome: aborted: every decision made is ABORT, or none was made; 0 messages/m);
  });
});
