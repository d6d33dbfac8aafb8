// A smart-HTTP git server: Node's http in front of Debian git's
// git-http-backend (CGI), with Basic auth. Runs as a child process so the
// tests' own git calls cannot deadlock it. Prints {"port":N} when listening.
// Usage: node gitServer.cjs <projectRoot> <port> <username> <password>
// With TLS_KEY_FILE and TLS_CERT_FILE in the environment it serves HTTPS
// with that key and certificate chain instead of plain HTTP.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const { spawn } = require('node:child_process');
const { timingSafeEqual } = require('node:crypto');

const [root, portArg, username, password] = process.argv.slice(2);
const BACKEND = process.env.GIT_HTTP_BACKEND || '/usr/lib/git-core/git-http-backend';
const expected = Buffer.from(`${username}:${password}`);

function authorised(req) {
  const h = req.headers.authorization || '';
  if (!h.startsWith('Basic ')) return false;
  const given = Buffer.from(h.slice(6), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function handle(req, res) {
  if (!authorised(req)) {
    req.resume();
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'content-type': 'text/plain' });
    res.end('Unauthorized\n');
    return;
  }
  const url = new URL(req.url, 'http://localhost');
  const env = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] || '',
    REMOTE_USER: username,
    REMOTE_ADDR: req.socket.remoteAddress || '',
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'safe.directory',
    GIT_CONFIG_VALUE_0: '*',
    GIT_CONFIG_KEY_1: 'http.receivepack',
    GIT_CONFIG_VALUE_1: 'true',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = req.headers['git-protocol'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  const child = spawn(BACKEND, [], { env });
  req.pipe(child.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  let stderr = '';
  child.stderr.on('data', d => {
    stderr += d;
  });
  child.stdout.on('data', chunk => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    let sep = head.indexOf('\r\n\r\n');
    let sepLen = 4;
    if (sep < 0) {
      sep = head.indexOf('\n\n');
      sepLen = 2;
    }
    if (sep < 0) return;
    headersDone = true;
    let status = 200;
    const headers = {};
    for (const line of head.subarray(0, sep).toString().split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const k = line.slice(0, i).trim();
      const v = line.slice(i + 1).trim();
      if (k.toLowerCase() === 'status') status = parseInt(v, 10);
      else headers[k] = v;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(sep + sepLen));
  });
  child.on('close', () => {
    if (!headersDone) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(stderr);
    } else {
      res.end();
    }
  });
}

const { TLS_KEY_FILE, TLS_CERT_FILE } = process.env;
const server =
  TLS_KEY_FILE && TLS_CERT_FILE
    ? https.createServer(
        { key: fs.readFileSync(TLS_KEY_FILE), cert: fs.readFileSync(TLS_CERT_FILE) },
        handle,
      )
    : http.createServer(handle);

server.listen(Number(portArg) || 0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
function stop() {
  server.closeAllConnections();
  server.close(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
