import { createHmac, createPublicKey, verify } from 'node:crypto';
import fc from 'fast-check';
import {
  createEd25519Signer,
  createHmacSigner,
  ed25519KeyFromSeed,
  encodeParams,
  percentEncode,
  wsApiSignaturePayload,
} from '../../src/auth/index.js';
import { createError, unregisterSecret } from '../../src/errors/index.js';

// binance-spot.md §4.4 (the Binance docs' example key, checked with openssl).
const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const ORDER = {
  symbol: 'LTCBTC',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: 1,
  price: '0.1',
  recvWindow: 5000,
  timestamp: 1499827319559,
};

describe('HMAC-SHA256 signer (Binance rules)', () => {
  const signer = createHmacSigner({ apiKey: API_KEY, secret: SECRET });

  it('matches the documented REST vector', () => {
    const payload = encodeParams(ORDER);
    expect(payload).toBe(
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
    );
    expect(signer.sign(payload)).toBe(
      'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71',
    );
  });

  it('percent-encodes non-ASCII values before signing (2026 rule) and matches the vector', () => {
    const payload = encodeParams({ ...ORDER, symbol: '１２３４５６' });
    expect(
      payload.startsWith('symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&'),
    ).toBe(true);
    expect(signer.sign(payload)).toBe(
      'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3',
    );
  });

  it('matches the documented WS API vector (sorted, not encoded, apiKey included)', () => {
    const params = {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01000000',
      price: '52000.00',
      recvWindow: 100,
      timestamp: 1645423376532,
      apiKey: API_KEY,
      signature: 'ignored',
    };
    const payload = wsApiSignaturePayload(params);
    expect(payload).toBe(
      `apiKey=${API_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
    );
    expect(signer.sign(payload)).toBe(
      'aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24',
    );
  });

  it('registers the secret so errors never show it', () => {
    const e = createError('INTERNAL', `leak ${SECRET}`, { context: { note: `x${SECRET}y` } });
    expect(JSON.stringify(e)).not.toContain(SECRET);
    expect(e.message).not.toContain(SECRET);
  });

  it('agrees with createHmac keyed by the secret string, for any secret and payload', () => {
    // The signer imports the key once (a KeyObject); createHmac with the string is the reference.
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1 }),
        fc.string({ unit: 'binary' }),
        (secret, payload) => {
          const reference = createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
          try {
            expect(createHmacSigner({ secret }).sign(payload)).toBe(reference);
          } finally {
            unregisterSecret(secret); // keep random secrets out of the shared redaction registry
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses an empty secret', () => {
    expect(() => createHmacSigner({ secret: '' })).toThrow(
      expect.objectContaining({ code: 'AUTH_MISSING_CREDENTIALS' }),
    );
  });
});

describe('Ed25519 signer', () => {
  // Seed 01 02 … 20 (hex); signature computed once with `openssl pkeyutl -sign -rawin` and pinned.
  const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  const payload =
    'symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1.00000000&price=0.20000000&recvWindow=5000&timestamp=1668481559918';
  const PINNED =
    '3eagEH3IM7VXGX2Ugyt32oNBFRqDTMfh4uzcdeXIG2p8aLUPoKUWd62XGi1DAYpSk+1PXDMaoFTWPRp4DwtYDg==';

  it('signs the fixed vector to the pinned signature', () => {
    const signer = createEd25519Signer({ apiKey: 'ed-key-1', privateKey: seed });
    expect(signer.algorithm).toBe('Ed25519');
    expect(signer.sign(payload)).toBe(PINNED);
  });

  it('produces a signature the public key verifies, from a PEM key too', () => {
    const key = ed25519KeyFromSeed(seed);
    const pem = key.export({ format: 'pem', type: 'pkcs8' }).toString();
    const signer = createEd25519Signer({ privateKey: pem });
    const sig = signer.sign(payload);
    expect(sig).toBe(PINNED);
    expect(
      verify(null, Buffer.from(payload), createPublicKey(key), Buffer.from(sig, 'base64')),
    ).toBe(true);
    expect(sig).toHaveLength(88);
  });

  it('percent-encodes base64 for REST (+ / = become %2B %2F %3D)', () => {
    expect(percentEncode(PINNED)).toBe(
      PINNED.replace(/\+/g, '%2B').replace(/\//g, '%2F').replace(/=/g, '%3D'),
    );
  });

  it('registers the key material (PEM, seed) so errors never show it', () => {
    const otherSeed = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
    const pem = ed25519KeyFromSeed(otherSeed).export({ format: 'pem', type: 'pkcs8' }).toString();
    createEd25519Signer({ privateKey: pem });
    const seedHex = Buffer.from(otherSeed).toString('hex');
    const e = createError('INTERNAL', `oops ${pem} ${seedHex}`, {
      context: { dump: `k=${seedHex}` },
    });
    const text = JSON.stringify(e) + e.message;
    expect(text).not.toContain(seedHex);
    expect(text).not.toContain(pem.split('\n')[1]!);
  });

  it('rejects keys that are not Ed25519 private keys', () => {
    expect(() => createEd25519Signer({ privateKey: new Uint8Array(31) })).toThrow(
      expect.objectContaining({ code: 'AUTH_INVALID_KEY' }),
    );
    expect(() => createEd25519Signer({ privateKey: 'not a pem' })).toThrow(
      expect.objectContaining({ code: 'AUTH_INVALID_KEY' }),
    );
  });
});

describe('canonical payload encoding', () => {
  it('keeps unreserved characters, encodes everything else including space and JSON arrays', () => {
    expect(percentEncode("a-z_A.Z~09 !'()*")).toBe('a-z_A.Z~09%20%21%27%28%29%2A');
    expect(encodeParams({ symbols: ['BTCUSDT', 'ETHUSDT'], skip: undefined })).toBe(
      'symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D',
    );
    expect(
      encodeParams([
        ['b', '1'],
        ['a', 2n],
      ]),
    ).toBe('b=1&a=2');
  });

  it('encodes a record exactly like the same pairs from Object.entries', () => {
    // encodeParams walks a record by its keys (no entry arrays); the pairs path is the reference.
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.integer(),
      fc.double(),
      fc.bigInt(),
      fc.boolean(),
      fc.array(fc.string()),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), value), (record) => {
        expect(encodeParams(record)).toBe(encodeParams(Object.entries(record)));
      }),
      { numRuns: 500 },
    );
  });
});
