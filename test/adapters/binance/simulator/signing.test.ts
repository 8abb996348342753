import {
  splitRestSignature,
  verifyBinanceSignature,
  wsApiPayload,
} from '../../../../adapters/binance/simulator/signing.js';

// Vectors from binance-spot.md §4.4.
const key = {
  apiKey: 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A',
  secret: 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j',
};
const rest =
  'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';

describe('Binance simulator signature checks (binance-spot.md §4.4 vectors)', () => {
  it('verifies the REST vector whether the signature sits in the query or the body', () => {
    const sig = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';
    const inQuery = splitRestSignature(`${rest}&signature=${sig}`, '');
    expect(inQuery).toEqual({ payload: rest, signature: sig });
    expect(verifyBinanceSignature(key, inQuery.payload, sig, 'rest')).toBe(true);
    // Query and body are joined with no separator.
    const split = splitRestSignature(
      'symbol=LTCBTC&side=BUY',
      `&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature=${sig}`,
    );
    expect(split.payload).toBe(rest);
    expect(verifyBinanceSignature(key, split.payload, sig.toUpperCase(), 'rest')).toBe(true);
    expect(verifyBinanceSignature(key, split.payload, sig.replace('c8', 'c9'), 'rest')).toBe(false);
  });

  it('verifies the percent-encoded (non-ASCII symbol) vector over the encoded bytes', () => {
    const payload = rest.replace(
      'LTCBTC',
      '%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96',
    );
    const sig = 'e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3';
    expect(verifyBinanceSignature(key, payload, sig, 'rest')).toBe(true);
    expect(verifyBinanceSignature(key, decodeURIComponent(payload), sig, 'rest')).toBe(false);
  });

  it('builds the WS API payload sorted and unencoded, apiKey included, and verifies the vector', () => {
    const params = {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01000000',
      price: '52000.00',
      recvWindow: 100,
      timestamp: 1645423376532,
      apiKey: key.apiKey,
      signature: 'ignored',
    };
    const payload = wsApiPayload(params);
    expect(payload).toBe(
      `apiKey=${key.apiKey}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532&type=LIMIT`,
    );
    expect(
      verifyBinanceSignature(
        key,
        payload,
        'aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24',
        'ws-api',
      ),
    ).toBe(true);
  });
});
