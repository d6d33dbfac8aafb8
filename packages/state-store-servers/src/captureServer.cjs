// An "attacker" HTTP listener: records every request (method, url, headers,
// body) and answers 401 + `WWW-Authenticate: Basic realm="x"` (so a client
// that would send credentials on a challenge is tempted to), 200, or a
// redirect. Also serves as a fake S3 endpoint whose Host / Authorization
// headers tests inspect. Runs as a child process; prints {"port":N} when
// listening; stops on SIGTERM.
//
// Configuration arrives over IPC as the first message:
//   { port, respond: 'unauthorized' | 'ok' | { redirectTo, status?, keepPath? } }
// Then {type:'requests', id} is answered with {type:'requests', id, requests}
// and {type:'clear', id} with {type:'clear', id}.
// Started by hand (no IPC) it logs each request as a JSON line on stdout.
// Usage: node captureServer.cjs [port] [unauthorized|ok|<redirect url>]
'use strict';
const http = require('node:http');

function start({ port, respond }) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('error', () => {});
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const record = {
        method: req.method,
        url: req.url,
        httpVersion: req.httpVersion,
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        host: req.headers.host,
        authorization: req.headers.authorization,
        bodyLength: body.length,
        body: body.toString('utf8'),
      };
      requests.push(record);
      if (!process.send) process.stdout.write(`${JSON.stringify(record)}\n`);

      if (respond === 'ok') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok\n');
      } else if (respond && typeof respond === 'object' && respond.redirectTo) {
        const target =
          respond.keepPath === false
            ? respond.redirectTo
            : `${respond.redirectTo.replace(/\/+$/, '')}${req.url}`;
        res.writeHead(respond.status || 302, {
          location: target,
          'content-type': 'text/plain',
        });
        res.end(`Redirecting to ${target}\n`);
      } else {
        res.writeHead(401, {
          'WWW-Authenticate': 'Basic realm="x"',
          'content-type': 'text/plain',
        });
        res.end('Unauthorized\n');
      }
    });
  });

  if (process.send) {
    process.on('message', msg => {
      if (!msg || typeof msg !== 'object') return;
      if (msg.type === 'requests') process.send({ type: 'requests', id: msg.id, requests });
      else if (msg.type === 'clear') {
        requests.length = 0;
        process.send({ type: 'clear', id: msg.id });
      }
    });
  }

  server.listen(Number(port) || 0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });

  let stopping = false;
  function stop() {
    if (stopping) return;
    stopping = true;
    server.closeAllConnections();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  }
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

if (process.send) {
  process.once('message', config => start(config));
} else {
  const [port, mode] = process.argv.slice(2);
  let respond = 'unauthorized';
  if (mode === 'ok') respond = 'ok';
  else if (mode && mode !== 'unauthorized') respond = { redirectTo: mode };
  start({ port, respond });
}
