import { ExecFileException, execFile } from 'node:child_process';
import os from 'node:os';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CaptureServer, startCaptureServer } from './captureServer';

jest.setTimeout(30_000);

function exitCode(error: ExecFileException | null): number {
  if (error === null) return 0;
  return typeof error.code === 'number' ? error.code : 1;
}

function git(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise(resolve => {
    const child = execFile(
      'git',
      args,
      {
        timeout: 20_000,
        env: {
          PATH: process.env.PATH,
          HOME: os.tmpdir(),
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
        },
      },
      (error, _stdout, stderr) => {
        const code = exitCode(error);
        resolve({ code, stderr: String(stderr) });
      },
    );
    child.stdin?.on('error', () => undefined);
    child.stdin?.end();
  });
}

describe('startCaptureServer', () => {
  const servers: CaptureServer[] = [];
  const start = async (options?: Parameters<typeof startCaptureServer>[0]) => {
    const server = await startCaptureServer(options);
    servers.push(server);
    return server;
  };

  afterAll(async () => {
    await Promise.all(servers.map(s => s.stop()));
  });

  it('challenges with 401 Basic and records what the client sends back', async () => {
    const capture = await start();
    const url = capture.url.replace('http://', 'http://alice:s3cret@');
    const result = await git(['ls-remote', `${url}/state.git`]);
    expect(result.code).not.toBe(0);

    const requests = await capture.requests();
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests[0]).toMatchObject({
      method: 'GET',
      url: '/state.git/info/refs?service=git-upload-pack',
      host: `127.0.0.1:${capture.port}`,
      bodyLength: 0,
    });
    expect(requests[0].authorization).toBeUndefined();
    // git answered the challenge with the credentials from the URL.
    expect(requests[1].authorization).toBe(
      `Basic ${Buffer.from('alice:s3cret').toString('base64')}`,
    );

    await capture.clear();
    expect(await capture.requests()).toEqual([]);
  });

  it('answers 200 when asked to and records bodies', async () => {
    const capture = await start({ respond: 'ok' });
    const res = await fetch(`${capture.url}/upload?x=1`, {
      method: 'POST',
      headers: { 'x-test': 'yes' },
      body: 'twelve bytes',
    });
    expect(res.status).toBe(200);
    const [request] = await capture.requests();
    expect(request).toMatchObject({
      method: 'POST',
      url: '/upload?x=1',
      bodyLength: 12,
      body: 'twelve bytes',
    });
    expect(request.headers['x-test']).toBe('yes');
  });

  it('redirects, keeping the path by default', async () => {
    const target = await start();
    const redirector = await start({
      respond: { redirectTo: target.url, status: 307 },
    });
    const res = await fetch(`${redirector.url}/a/b?c=d`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(307);
    expect(res.headers.get('location')).toBe(`${target.url}/a/b?c=d`);

    const exact = await start({
      respond: { redirectTo: `${target.url}/elsewhere`, keepPath: false },
    });
    const res2 = await fetch(`${exact.url}/x`, { redirect: 'manual' });
    expect(res2.status).toBe(302);
    expect(res2.headers.get('location')).toBe(`${target.url}/elsewhere`);

    // git follows the redirect of info/refs to the other host.
    await git(['ls-remote', `${redirector.url}/repo.git`]);
    const followed = await target.requests();
    expect(followed.map(r => r.url)).toContain('/repo.git/info/refs?service=git-upload-pack');
  });

  it('records the SigV4 credential scope of an S3 client', async () => {
    const capture = await start({ respond: 'ok' });
    const s3 = new S3Client({
      endpoint: capture.url,
      region: 'eu-west-2',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    await s3.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'k.yaml', Body: 'a: 1\n' }));
    s3.destroy();
    const [request] = await capture.requests();
    expect(request.method).toBe('PUT');
    expect(request.url).toMatch(/^\/bucket\/k\.yaml(\?|$)/);
    expect(request.host).toBe(`127.0.0.1:${capture.port}`);
    expect(request.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-2\/s3\/aws4_request,/,
    );
  });
});
