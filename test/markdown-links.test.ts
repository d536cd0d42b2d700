import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { markdownInline } from '../src/io/text.js';
import { cliIn } from './in-process.js';

// A seed, a trace file's name or a baseline's path in a heading, a table cell or a gate's line of
// the Markdown report (a CI job summary) is text: a link or an image written there was rendered.
describe('user text in Markdown makes no link, image or strikethrough', () => {
  it('markdownInline breaks ]( and escapes ~, leaving an interval as it is', () => {
    assert.equal(markdownInline('[x](https://e) ![i](https://e/p.png) ~~s~~'), '[x]\\(https://e) ![i]\\(https://e/p.png) \\~\\~s\\~\\~');
    assert.equal(markdownInline('success [0.48, 0.53] is not at least 0.8'), 'success [0.48, 0.53] is not at least 0.8');
  });

  it("in the heading of run's --format markdown", async () => {
    const r = await cliIn(['run', '--trials', '100', '--seed', '[click](https://e) ![i](https://e/p.png) ~~s~~', '--format', 'markdown']);
    assert.equal(r.status, 0, r.stderr);
    const heading = r.stdout.split('\n')[0]!;
    assert.doesNotMatch(heading, /[^\\]\]\(|(^|[^\\])~/, heading);
    assert.match(heading, /seed \[click\]\\\(https:\/\/e\) !\[i\]\\\(https:\/\/e\/p\.png\) \\~\\~s\\~\\~$/);
  });
});
