// ws_echo_c64 peer: an echo server on npm's `ws` (Node), text to text and binary to binary, no
// compression. `ws` is the one pinned in tests/peers/node's lock file; bench/ws_bench.py installs
// it into the build tree (npm ci) and passes NODE_PATH.
//
//   NODE_PATH=build/release/peers/node/node_modules node ws_echo.js PORT
const { WebSocketServer } = require('ws');

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]), perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
