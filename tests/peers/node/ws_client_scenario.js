// The client scenario of the WebSocket interop tests with npm's ws against aio's echo server:
//   node ws_client_scenario.js URL [--no-compression]
// Echoes text and binary of every length encoding (0 to 16 MiB), a fragmented message, 1,000
// pipelined messages and a ping, then closes with 4000. Prints "done" and exits 0, or exits 1.
'use strict';
const WebSocket = require('ws');

const url = process.argv[2];
const compress = !process.argv.includes('--no-compression');
const sizes = [0, 1, 125, 126, 127, 65535, 65536, 65537, 16 * 1024 * 1024];
const pattern = (n) => Buffer.from(Array.from({ length: n }, (_, i) => 97 + ((i * 7) % 26)));

const ws = new WebSocket(url, { perMessageDeflate: compress, maxPayload: 32 * 1024 * 1024 });
const inbox = [];
let waiting = null;
ws.on('message', (data, isBinary) => {
  inbox.push({ data, isBinary });
  if (waiting) waiting();
});
const next = () => new Promise((resolve) => {
  const take = () => { waiting = null; resolve(inbox.shift()); };
  if (inbox.length) take(); else waiting = take;
});
const check = (ok, what) => { if (!ok) { console.error('mismatch: ' + what); process.exit(1); } };

ws.on('error', (e) => { console.error(e); process.exit(1); });
ws.on('open', async () => {
  check((ws.extensions !== '') === compress, 'extensions ' + ws.extensions);
  for (const n of sizes) {
    const data = pattern(n);
    ws.send(data.toString(), { binary: false });
    let m = await next();
    check(!m.isBinary && m.data.equals(data), 'text ' + n);
    ws.send(data, { binary: true });
    m = await next();
    check(m.isBinary && m.data.equals(data), 'binary ' + n);
  }
  ws.send('frag', { fin: false });
  ws.send('mented', { fin: true });
  check((await next()).data.toString() === 'fragmented', 'fragments');
  for (let i = 0; i < 1000; i++) ws.send('m' + i);
  for (let i = 0; i < 1000; i++) check((await next()).data.toString() === 'm' + i, 'pipelined ' + i);
  const pong = new Promise((resolve) => ws.once('pong', resolve));
  ws.ping('ping!');
  check((await pong).toString() === 'ping!', 'pong');
  ws.on('close', (code) => {
    check(code === 4000, 'close code ' + code);
    console.log('done');
    process.exit(0);
  });
  ws.close(4000, 'done');
});
setTimeout(() => { console.error('timed out'); process.exit(1); }, 60000).unref();
