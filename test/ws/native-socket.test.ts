import { TickwireError } from '../../src/errors/index.js';
import { encodeClientFrame, isValidWireCloseCode } from '../../src/ws/native-socket.js';
import { WsConnection } from '../../src/ws/ws-connection.js';
import { decodeFrames } from './frame-server.js';

function decodeOne(frame: Buffer) {
  const { frames, used } = decodeFrames(frame);
  expect(used).toBe(frame.length);
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

describe('encodeClientFrame', () => {
  it.each([0, 1, 125, 126, 65_535, 65_536])(
    'a %i-byte payload: minimal length encoding, mask bit set, unmasks to the payload',
    (n) => {
      const payload = Buffer.alloc(n);
      for (let i = 0; i < n; i++) payload[i] = (i * 31 + 7) & 0xff;
      const frame = encodeClientFrame(0x2, payload);
      const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
      expect(frame.length).toBe(head + 4 + n);
      expect(frame[0]).toBe(0x82);
      expect(frame[1]! & 0x80).toBe(0x80);
      expect(frame[1]! & 0x7f).toBe(n < 126 ? n : n < 65_536 ? 126 : 127);
      if (head === 4) expect(frame.readUInt16BE(2)).toBe(n);
      if (head === 10) expect(frame.readBigUInt64BE(2)).toBe(BigInt(n));
      const f = decodeOne(frame);
      expect(f).toMatchObject({ fin: true, rsv: 0, opcode: 0x2, masked: true });
      expect(f.payload.equals(payload)).toBe(true);
      // The input is not masked in place.
      for (let i = 0; i < n; i++)
        if (payload[i] !== ((i * 31 + 7) & 0xff)) throw new Error('input changed');
    },
  );

  it('a string with multi-byte UTF-8 is sent as its UTF-8 bytes', () => {
    const text = 'é€😀 price 1.5 — ok';
    const frame = encodeClientFrame(0x1, text);
    const f = decodeOne(frame);
    expect(f.opcode).toBe(0x1);
    expect(f.payload.length).toBe(Buffer.byteLength(text));
    expect(f.payload.toString('utf8')).toBe(text);
  });

  it('every payload length mod 4 unmasks correctly (tail bytes after the 4-byte loop)', () => {
    for (let n = 0; n < 12; n++) {
      const payload = Buffer.from('abcdefghijkl'.slice(0, n));
      expect(decodeOne(encodeClientFrame(0x1, payload)).payload.toString()).toBe(
        payload.toString(),
      );
    }
  });

  it('two frames use different masks, and the masked bytes differ from the payload', () => {
    const payload = Buffer.alloc(64, 0x41);
    const a = decodeOne(encodeClientFrame(0x2, payload));
    const b = decodeOne(encodeClientFrame(0x2, payload));
    expect(a.mask.equals(b.mask)).toBe(false);
    const masks = new Set<string>();
    for (let i = 0; i < 3000; i++)
      masks.add(decodeOne(encodeClientFrame(0x9, '')).mask.toString('hex'));
    // 3000 frames cross the 8 KiB refill of the mask pool; random 32-bit keys barely collide.
    expect(masks.size).toBeGreaterThan(2990);
    const raw = encodeClientFrame(0x2, payload);
    expect(raw.subarray(6).equals(payload)).toBe(false);
  });
});

describe('isValidWireCloseCode', () => {
  it.each([
    1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999,
  ])('%i may be on the wire', (code) => expect(isValidWireCloseCode(code)).toBe(true));
  it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65_535])('%i may not', (code) =>
    expect(isValidWireCloseCode(code)).toBe(false),
  );
});

describe("WsConnection transport 'native'", () => {
  it('perMessageDeflate: true is refused with INVALID_ARGUMENT before any connect', async () => {
    const c = new WsConnection(
      { url: 'ws://127.0.0.1:9/never', transport: 'native', perMessageDeflate: true },
      { onMessage: () => undefined, onClose: () => undefined },
    );
    const err = await c.open().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TickwireError);
    expect((err as TickwireError).code).toBe('INVALID_ARGUMENT');
  });
});
