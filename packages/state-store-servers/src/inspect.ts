import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

const run = promisify(execFile);

/** Runs the git CLI asynchronously (never sync: the server may share the event loop). */
export async function gitCli(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', HOME: os.tmpdir() },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Files on a branch of a bare repository: path -> content. */
export async function readRepo(repoDir: string, branch = 'main'): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string;
  try {
    names = await gitCli(['--git-dir', repoDir, 'ls-tree', '-r', '--name-only', '-z', branch]);
  } catch {
    return out;
  }
  for (const name of names.split('\0').filter(Boolean)) {
    out.set(name, await gitCli(['--git-dir', repoDir, 'show', `${branch}:${name}`]));
  }
  return out;
}

export async function commitCount(repoDir: string, branch = 'main'): Promise<number> {
  try {
    return Number((await gitCli(['--git-dir', repoDir, 'rev-list', '--count', branch])).trim());
  } catch {
    return 0;
  }
}

/** Commits files to a repository with the git CLI, as another writer would. */
export async function pushWithCli(
  url: string,
  auth: { username: string; password: string },
  files: Record<string, string | null>,
  message = 'foreign change',
): Promise<void> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-cli-'));
  const u = new URL(url);
  u.username = auth.username;
  u.password = auth.password;
  try {
    await gitCli(['clone', '--quiet', '--depth', '1', u.toString(), dir]);
    for (const [p, c] of Object.entries(files)) {
      const full = path.join(dir, p);
      if (c === null) await fs.promises.rm(full, { force: true });
      else {
        await fs.promises.mkdir(path.dirname(full), { recursive: true });
        await fs.promises.writeFile(full, c);
      }
    }
    await gitCli(
      [
        '-c',
        'user.name=other',
        '-c',
        'user.email=other@example.com',
        'commit',
        '--quiet',
        '-am',
        message,
        '--allow-empty',
      ],
      dir,
    );
    await gitCli(['add', '-A'], dir);
    await gitCli(
      [
        '-c',
        'user.name=other',
        '-c',
        'user.email=other@example.com',
        'commit',
        '--quiet',
        '--amend',
        '--no-edit',
        '--allow-empty',
      ],
      dir,
    );
    await gitCli(['push', '--quiet', 'origin', 'HEAD:main'], dir);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Objects in a bucket (optionally below a prefix): key -> content. `ca`: the
 * CA (PEM) of an https:// endpoint whose certificate a private CA issued.
 */
export async function bucketObjects(
  endpoint: string,
  bucket: string,
  prefix?: string,
  options: { ca?: string } = {},
): Promise<Map<string, string>> {
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(options.ca ? { requestHandler: { httpsAgent: new https.Agent({ ca: options.ca }) } } : {}),
  });
  const out = new Map<string, string>();
  try {
    let token: string | undefined;
    do {
      const res = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of res.Contents ?? []) {
        const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
        out.set(o.Key!, await body.Body!.transformToString());
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  } finally {
    s3.destroy();
  }
  return out;
}
