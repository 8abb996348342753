import { inspect } from 'node:util';
import {
  REDACTED,
  createError,
  registerSecret,
  unregisterSecret,
  redactString,
  redactValue,
} from '../../src/index.js';

// A canary that must never be visible anywhere an error can be looked at.
const CANARY = 'CANARY-s3cr3t-9f8e7d6c5b4a';
const CANARY_KEY = new Uint8Array(32).fill(0xab);

function everyView(err: Error): string {
  const views = [
    err.message,
    err.stack ?? '',
    JSON.stringify(err),
    inspect(err, { depth: 10 }),
    String(err),
    JSON.stringify((err as { context?: unknown }).context),
  ];
  let c: unknown = err.cause;
  while (c !== undefined) {
    views.push(inspect(c, { depth: 10 }));
    c = c instanceof Error ? c.cause : undefined;
  }
  return views.join('\n');
}

describe('secret redaction', () => {
  beforeAll(() => {
    registerSecret(CANARY);
    registerSecret(CANARY_KEY);
  });
  afterAll(() => {
    unregisterSecret(CANARY);
    unregisterSecret(CANARY_KEY);
  });

  it('keeps a registered canary out of message, context, toJSON, inspect and causes', () => {
    const keyHex = Buffer.from(CANARY_KEY).toString('hex');
    const inner = new Error(`inner failure with ${CANARY}`);
    const middle = new Error(`wrapping 0x${keyHex}`, { cause: inner });
    const err = createError('AUTH_INVALID_SIGNATURE', `signature for ${CANARY} rejected`, {
      context: {
        url: `https://user:${CANARY}@api.example.com/api/v3/order?symbol=BTCUSDT&signature=abcdef0123`,
        note: `contains ${CANARY} in free text`,
        nested: { deeper: [{ text: CANARY }] },
        bytes: CANARY_KEY,
      },
      cause: middle,
    });
    const all = everyView(err);
    expect(all).not.toContain(CANARY);
    expect(all).not.toContain(keyHex);
    expect(all).toContain(REDACTED);
    // the non-secret parts survive
    expect(err.context.url).toContain('api.example.com/api/v3/order?symbol=BTCUSDT');
    expect(err.cause).toBeInstanceOf(Error);
    expect((err.cause as Error).message).toContain('wrapping');
  });

  it('redacts by key name without registration', () => {
    const err = createError('EXCHANGE_ERROR', 'rejected', {
      context: {
        apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2z',
        secretKey: 'plainsecretvalue',
        headers: { 'X-MBX-APIKEY': 'k-123456789', accept: 'application/json' },
        params: { signature: 'deadbeefcafe', symbol: 'BTCUSDT' },
        privateKey: new Uint8Array([1, 2, 3]),
      },
    });
    const json = JSON.stringify(err);
    for (const s of ['vmPUZE6mv9SD5', 'plainsecretvalue', 'k-123456789', 'deadbeefcafe']) {
      expect(json).not.toContain(s);
    }
    expect(json).toContain('BTCUSDT');
    expect(json).toContain('application/json');
  });

  it('scrubs secret-named pairs and URL credentials in free text', () => {
    const cases: Array<[string, string]> = [
      ['GET https://bob:hunter2@host/x', 'hunter2'],
      ['wss://u:p4ssw0rd@stream.example.com/ws', 'p4ssw0rd'],
      ['timestamp=1&signature=c8db56825ae71d6d&recvWindow=5000', 'c8db56825ae71d6d'],
      ['{"apiKey":"AK-12345678","symbol":"X"}', 'AK-12345678'],
      ['X-MBX-APIKEY: AK-87654321', 'AK-87654321'],
      ['{"signature":{"Secp256k1":"0x451dde44ff"}}', '0x451dde44ff'],
    ];
    for (const [text, secret] of cases) {
      const out = redactString(text);
      expect(out).not.toContain(secret);
      expect(out).toContain(REDACTED);
    }
    expect(redactString('symbol=BTCUSDT&side=BUY')).toBe('symbol=BTCUSDT&side=BUY');
  });

  it('redactValue cuts cycles and summarises bytes', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(redactValue(a)).toEqual({ name: 'a', self: '[Circular]' });
    expect(redactValue({ blob: new Uint8Array(4) })).toEqual({ blob: '[Uint8Array(4)]' });
  });
});
