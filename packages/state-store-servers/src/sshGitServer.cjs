// An SSH git server: the ssh2 package's Server in front of Debian git's
// git-upload-pack / git-receive-pack, with publickey authentication only.
// Runs as a child process so the tests' own git calls cannot deadlock it.
// Prints {"port":N} when listening; stops on SIGTERM.
//
// Configuration arrives over the IPC channel as the first message
//   { root, port, authorizedKeys: string[], hostKey: string }
// (so no private key shows up in argv), or, when started by hand without IPC:
// Usage: node sshGitServer.cjs <root> <port> <authorized_keys file> <host key file>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { timingSafeEqual } = require('node:crypto');
const { Server, utils } = require('ssh2');

const GIT_CORE = process.env.GIT_EXEC_PATH || '/usr/lib/git-core';
const COMMANDS = {
  'upload-pack': path.join(GIT_CORE, 'git-upload-pack'),
  'receive-pack': path.join(GIT_CORE, 'git-receive-pack'),
};

function sameBytes(a, b) {
  return a.length === b.length && timingSafeEqual(a, b);
}

// RSA keys are offered as rsa-sha2-256/512 while the key itself is ssh-rsa.
function algoMatches(offered, keyType) {
  if (offered === keyType) return true;
  return keyType === 'ssh-rsa' && (offered === 'rsa-sha2-256' || offered === 'rsa-sha2-512');
}

function parseAuthorizedKeys(lines) {
  const keys = [];
  for (const raw of lines) {
    for (const line of String(raw).split(/\r?\n/)) {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith('#')) continue;
      const key = utils.parseKey(trimmed);
      if (key instanceof Error) throw new Error(`bad authorized key ${trimmed}: ${key.message}`);
      keys.push(Array.isArray(key) ? key[0] : key);
    }
  }
  return keys;
}

/**
 * Splits a command line the way a POSIX shell would for the simple cases git
 * produces: single quotes (git's sq_quote, including '\'' and '\!'), double
 * quotes, and backslash escapes. No expansion of any kind.
 */
function shellWords(line) {
  const words = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote');
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) j++;
        cur += line[j];
      }
      if (j >= line.length) throw new Error('unterminated quote');
      i = j;
    } else if (c === '\\') {
      if (i + 1 < line.length) cur += line[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else if (c === '\n' || c === ';' || c === '|' || c === '&' || c === '`' || c === '$') {
      throw new Error('unsupported shell syntax');
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** Returns { service, name } or throws with a message for the client. */
function parseCommand(command) {
  let words;
  try {
    words = shellWords(command);
  } catch (e) {
    throw new Error(`unsupported command: ${e.message}`);
  }
  if (words[0] === 'git' && words.length > 1) words = [`git-${words[1]}`, ...words.slice(2)];
  const m = /^git-(upload-pack|receive-pack)$/.exec(words[0] || '');
  if (!m)
    throw new Error(`unsupported command: only git-upload-pack and git-receive-pack are allowed`);
  if (words.length !== 2) throw new Error(`usage: git-${m[1]} '<repository>'`);
  return { service: m[1], name: words[1] };
}

function isInside(dir, candidate) {
  const rel = path.relative(dir, candidate);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Maps the requested repository onto <root>, refusing anything outside it. */
function resolveRepo(root, name) {
  const realRoot = fs.realpathSync(root);
  const stripped = name.replace(/^~?\/+/, '');
  if (stripped.includes('\0')) throw new Error(`'${name}': invalid path`);
  const base = path.resolve(realRoot, stripped);
  if (!isInside(realRoot, base))
    throw new Error(`'${name}': access outside the repository root denied`);
  for (const candidate of [base, `${base}.git`]) {
    let real;
    try {
      real = fs.realpathSync(candidate);
    } catch {
      continue;
    }
    if (!isInside(realRoot, real))
      throw new Error(`'${name}': access outside the repository root denied`);
    if (fs.statSync(real).isDirectory()) return real;
  }
  throw new Error(`'${name}' does not appear to be a git repository`);
}

function refuse(stream, message, code) {
  stream.stderr.write(`fatal: ${message}\n`);
  stream.exit(code);
  stream.end();
}

function start({ root, port, authorizedKeys, hostKey }) {
  const allowed = parseAuthorizedKeys(authorizedKeys);
  const clients = new Set();

  const server = new Server({ hostKeys: [hostKey] }, client => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', () => {
      /* connection resets, failed handshakes: nothing to do */
    });

    client.on('authentication', ctx => {
      if (ctx.method !== 'publickey') {
        ctx.reject(['publickey']);
        return;
      }
      const key = allowed.find(
        k => algoMatches(ctx.key.algo, k.type) && sameBytes(ctx.key.data, k.getPublicSSH()),
      );
      if (!key || (ctx.signature && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true)) {
        ctx.reject(['publickey']);
        return;
      }
      ctx.accept();
    });

    client.on('ready', () => {
      client.on('session', acceptSession => {
        const session = acceptSession();
        const env = {};
        session.on('env', (accept, reject, info) => {
          if (info.key === 'GIT_PROTOCOL') {
            // ssh2 1.x names it `val` (its README says `value`).
            env.GIT_PROTOCOL = info.val ?? info.value;
            if (accept) accept();
          } else if (reject) {
            reject();
          }
        });
        for (const other of ['pty', 'shell', 'sftp', 'subsystem', 'x11', 'auth-agent']) {
          session.on(other, (accept, reject) => reject && reject());
        }
        session.once('exec', (accept, reject, info) => {
          const stream = accept();
          let service;
          let repo;
          try {
            const parsed = parseCommand(info.command);
            service = parsed.service;
            repo = resolveRepo(root, parsed.name);
          } catch (e) {
            refuse(stream, e.message, 128);
            return;
          }
          const childEnv = {
            PATH: process.env.PATH,
            GIT_CONFIG_COUNT: '1',
            GIT_CONFIG_KEY_0: 'safe.directory',
            GIT_CONFIG_VALUE_0: '*',
          };
          if (env.GIT_PROTOCOL) childEnv.GIT_PROTOCOL = env.GIT_PROTOCOL;
          const git = spawn(COMMANDS[service], [repo], { env: childEnv });
          let finished = false;
          git.on('error', e => {
            if (finished) return;
            finished = true;
            refuse(stream, `cannot run git-${service}: ${e.message}`, 128);
          });
          stream.pipe(git.stdin);
          git.stdin.on('error', () => {
            /* git exited before reading everything */
          });
          git.stdout.pipe(stream, { end: false });
          git.stderr.pipe(stream.stderr, { end: false });
          git.on('close', (code, signal) => {
            if (finished) return;
            finished = true;
            if (signal) {
              try {
                stream.exit(signal, false, '');
              } catch {
                stream.exit(128);
              }
            } else {
              stream.exit(code ?? 1);
            }
            stream.end();
          });
          stream.on('close', () => {
            if (git.exitCode === null && git.signalCode === null) git.kill('SIGTERM');
          });
        });
      });
    });
  });

  server.on('error', e => {
    process.stderr.write(`ssh git server: ${e.stack || e}\n`);
  });
  server.listen(Number(port) || 0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
  });

  let stopping = false;
  function stop() {
    if (stopping) return;
    stopping = true;
    for (const c of clients) c.end();
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
  const [root, port, authorizedKeysFile, hostKeyFile] = process.argv.slice(2);
  if (!root || !authorizedKeysFile || !hostKeyFile) {
    process.stderr.write(
      'Usage: node sshGitServer.cjs <root> <port> <authorized_keys file> <host key file>\n',
    );
    process.exit(2);
  }
  start({
    root,
    port,
    authorizedKeys: [fs.readFileSync(authorizedKeysFile, 'utf8')],
    hostKey: fs.readFileSync(hostKeyFile, 'utf8'),
  });
}
