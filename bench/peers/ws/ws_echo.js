// ws_echo_c64 peer: an echo server on npm's `ws` (Node), text to text and binary to binary, no
// compression. `ws` comes from tests/peers/node (pinned there, installed by the test set-up).
//
//   node ws_echo.js PORT
const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, '..', '..', '..', 'tests', 'peers', 'node', 'node_modules', 'ws'));

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]), perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
