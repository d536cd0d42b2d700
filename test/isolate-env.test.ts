import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isolatedEnv } from '../src/protocol-files/isolate.js';

describe('the isolating process’s environment', () => {
  it('is this process’s without NODE_EXTRA_CA_CERTS (a certificate bundle parsed at every start, for no connection)', () => {
    const env = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', TWOGENERALS_ISOLATED_HEAP_MB: '64' };
    assert.deepEqual(isolatedEnv(env), { PATH: '/usr/bin', TWOGENERALS_ISOLATED_HEAP_MB: '64' });
    assert.equal(env.NODE_EXTRA_CA_CERTS, '/etc/ssl/certs/ca-certificates.crt', 'the given environment is left as it was');
    assert.deepEqual(isolatedEnv({ HOME: '/root' }), { HOME: '/root' });
  });
});
