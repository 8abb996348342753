// Loopback HTTP server for the `rest` bench, run in its own process (forked by bench/rest.ts)
// so that serving never competes with the measured client for the same event loop.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = JSON.stringify({
  symbol: 'BTCUSDT',
  price: '65000.12000000',
  qty: '0.01000000',
  time: 1_700_000_000_000,
  isBuyerMaker: true,
});
const HEADERS = {
  'content-type': 'application/json;charset=UTF-8',
  'content-length': String(Buffer.byteLength(BODY)),
  'x-mbx-used-weight-1m': '1',
};

const server = createServer((req, res) => {
  // Drain the request, answer the same small JSON body whatever the path.
  req.resume();
  res.writeHead(200, HEADERS);
  res.end(BODY);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ port });
});
process.on('disconnect', () => {
  server.closeAllConnections();
  server.close();
  process.exit(0);
});
