// An echo server with npm's ws for aio's client (same commands as
// tests/peers/python/ws_server_scenario.py): node ws_server_scenario.js [--no-compression]
// Prints "listening on PORT"; ends when its stdin closes. "fragments" gets "frag" "mented" as
// two frames, "ping" a ping "srv", "close NNNN" a close with NNNN "bye"; the rest is echoed.
'use strict';
const WebSocket = require('ws');

const compress = !process.argv.includes('--no-compression');
const server = new WebSocket.Server({ host: '127.0.0.1', port: 0, perMessageDeflate: compress,
                                      maxPayload: 32 * 1024 * 1024 });
server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? null : data.toString();
    if (text === 'fragments') {
      ws.send('frag', { fin: false });
      ws.send('mented', { fin: true });
    } else if (text === 'ping') {
      ws.ping('srv');
    } else if (text !== null && text.startsWith('close ')) {
      ws.close(Number(text.slice(6)), 'bye');
    } else {
      ws.send(data, { binary: isBinary });
    }
  });
});
server.on('listening', () => console.log('listening on ' + server.address().port));
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
