import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';
import { succeeded } from './assert-cli.js';

/** Per-direction traces: `AtoB:` and `BtoA:` files, with no `file` for both directions. */
describe('the trace channel, a trace a direction', () => {
  const files = {
    'a.txt': '0000001111100111010001100100100011110\n',
    'b.txt': '0010000001100000100000011000010000001\n',
  };
  const scenario = (channel: string) => `name: pd\nprotocol: handshake\nchannel: ${channel}\nredundancy: 2\nrounds: 3\ntrials: 500\nseed: 7\n`;

  it('runs AtoB and BtoA without file, to the exact values of the same traces named with file beside them', async () => {
    const dir = tempFiles({
      ...files,
      'own.yaml': scenario('{ model: trace, AtoB: a.txt, BtoA: b.txt }'),
      'with-file.yaml': scenario('{ model: trace, file: a.txt, AtoB: a.txt, BtoA: b.txt }'),
    });
    const exactOf = async (name: string) => {
      const rows = parseCsv(succeeded(await cliIn(['exact', join(dir, name), '--format', 'csv'])), { columns: true }) as Record<string, string>[];
      return rows.map(({ both_exact, neither_exact, onlyA_exact, onlyB_exact, messengers_exact }) => [
        both_exact,
        neither_exact,
        onlyA_exact,
        onlyB_exact,
        messengers_exact,
      ]);
    };
    assert.deepEqual(await exactOf('own.yaml'), await exactOf('with-file.yaml'));
    const run = parseCsv(succeeded(await cliIn(['run', join(dir, 'own.yaml'), '--format', 'csv'])), { columns: true }) as Record<string, string>[];
    assert.equal(run[0]!['AtoB'], 'a.txt');
    assert.equal(run[0]!['BtoA'], 'b.txt');
    assert.equal(run[0]!['trials'], '500');
    const v = await cliIn(['validate', join(dir, 'own.yaml')]);
    assert.match(succeeded(v), /trace A→B: 37 packets, loss rate 0\.4595, mean loss burst 2\.429; B→A: 37 packets/);
    assert.match(succeeded(await cliIn(['trace', join(dir, 'own.yaml'), '--trial', '3'])), /^pd, cell 1 .*trial 3 of 500/);
  });

  it('refuses a trace for one direction alone, and none at all, in one line (exit 2)', async () => {
    const dir = tempFiles({ ...files, 'one.yaml': scenario('{ model: trace, AtoB: a.txt }'), 'none.yaml': scenario('{ model: trace }') });
    const one = await cliIn(['run', join(dir, 'one.yaml')]);
    assert.equal(one.status, 2);
    assert.equal(one.stderr, `twogenerals: ${join(dir, 'one.yaml')}:3:10: the trace channel needs file, or AtoB and BtoA: BtoA is missing\n`);
    const none = await cliIn(['validate', join(dir, 'none.yaml')]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^twogenerals: .*none\.yaml:3:10: the trace channel needs file, or AtoB and BtoA\n$/);
  });
});

describe('the trace channel over a ping log whose summary disagrees', () => {
  const lines = ['PING h (192.0.2.1) 56(84) bytes of data.'];
  for (let seq = 3; seq <= 10; seq++) if (seq !== 6) lines.push(`64 bytes from 192.0.2.1: icmp_seq=${seq} ttl=64 time=1 ms`);
  const log = (summary: string) => [...lines, '', '--- h ping statistics ---', summary].join('\n');
  const scenario = 'name: excerpt\nprotocol: messenger\nchannel: { model: trace, file: ping.txt }\ntrials: 200\nseed: 3\nsweep:\n  redundancy: [1, 2]\n';

  it('is warned of by run and exact, once a file, as fit and validate warn of it; not with --quiet, nor where the summary agrees', async () => {
    const dir = tempFiles({ 'ping.txt': log('10 packets transmitted, 7 received, 30% packet loss, time 9000ms'), 's.yaml': scenario });
    const warning =
      "warning: ping.txt: the log's summary (line 11) says 10 packets transmitted, 7 received, but the log shows 8 packets (icmp_seq 3–10), 7 received; the trace holds what the log shows\n";
    for (const command of ['run', 'exact']) {
      const r = await cliIn([command, join(dir, 's.yaml'), '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, warning, command);
    }
    assert.equal((await cliIn(['run', join(dir, 's.yaml'), '--format', 'csv', '--quiet'])).stderr, '');
    const agrees = tempFiles({ 'ping.txt': log('8 packets transmitted, 7 received, 12% packet loss, time 7000ms'), 's.yaml': scenario });
    assert.equal((await cliIn(['run', join(agrees, 's.yaml'), '--format', 'csv'])).stderr, '');
  });
});
