// An S3-compatible server (s3rver) as a child process. It must run with
// --openssl-legacy-provider: s3rver encrypts list continuation tokens with
// DES, which OpenSSL 3 disables. Prints {"port":N} when listening.
// Usage: node --openssl-legacy-provider s3Server.cjs <dataDir> <port> [bucket...]
// With TLS_KEY_FILE and TLS_CERT_FILE in the environment it serves HTTPS
// with that key and certificate chain instead of plain HTTP.
'use strict';
const fs = require('node:fs');
const S3rver = require('s3rver');

const { TLS_KEY_FILE, TLS_CERT_FILE } = process.env;

const [directory, portArg, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(portArg) || 0,
  silent: true,
  directory,
  configureBuckets: buckets.map(name => ({ name })),
  ...(TLS_KEY_FILE && TLS_CERT_FILE
    ? { key: fs.readFileSync(TLS_KEY_FILE), cert: fs.readFileSync(TLS_CERT_FILE) }
    : {}),
});
server.run().then(address => {
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
});
function stop() {
  server.close().then(
    () => process.exit(0),
    () => process.exit(0),
  );
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
