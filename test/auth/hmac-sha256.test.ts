import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { createHmacSha256 } from '../../src/auth/hmac-sha256.js';

function reference(key: string | Uint8Array, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

describe('createHmacSha256', () => {
  it('matches RFC 4231 test case 2', () => {
    expect(createHmacSha256('Jefe')('what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('matches node:crypto at every length across block boundaries, reusing its buffers', () => {
    const mac = createHmacSha256(
      'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
    );
    for (let n = 0; n <= 300; n++) {
      const message = 'x'.repeat(n);
      expect(mac(message)).toBe(
        reference('NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j', message),
      );
    }
  });

  it('matches node:crypto for random keys (short, 64-byte, long; text or bytes) and UTF-8 messages', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 150 }),
          fc.uint8Array({ minLength: 0, maxLength: 150 }),
          fc.uint8Array({ minLength: 64, maxLength: 64 }),
        ),
        fc.array(fc.string({ unit: 'binary', maxLength: 200 }), { minLength: 1, maxLength: 4 }),
        (key, messages) => {
          const mac = createHmacSha256(key);
          for (const m of messages) expect(mac(m)).toBe(reference(key, m));
        },
      ),
      { numRuns: 300 },
    );
  });
});
