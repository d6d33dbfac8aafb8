/**
 * A refusal by the kratix API reaches the task: kratix:schedule and
 * kratix:unschedule fail with the API's own message (what to fix), through
 * the real client, not `Request failed with 400`.
 */
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { DefaultKratixService } from '@kratix-destinations/plugin-kratix-node';
import { createKratixScheduleAction } from './schedule';
import { createKratixUnscheduleAction } from './unschedule';

type Answer = { status: number; body: string; type?: string };

describe('kratix API refusals in the scaffolder actions', () => {
  let server: http.Server;
  let answer: Answer;
  let workspacePath: string;
  let kratix: DefaultKratixService;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/kratix`;
    kratix = new DefaultKratixService(
      mockServices.discovery.mock({ getBaseUrl: async () => base }),
      mockServices.auth(),
    );
  });
  afterAll(() => new Promise(r => server.close(r)));
  beforeEach(async () => {
    workspacePath = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-api-errors-'));
    await fs.promises.writeFile(path.join(workspacePath, 'ns.yaml'), 'kind: Namespace\n');
  });
  afterEach(() => fs.promises.rm(workspacePath, { recursive: true, force: true }));

  /** An answer as the kratix backend (Backstage's error handler) gives it. */
  const refusal = (status: number, name: string, message: string): Answer => ({
    status,
    body: JSON.stringify({
      error: { name, message },
      request: { method: 'POST', url: '/api/kratix/works' },
      response: { statusCode: status },
    }),
  });

  const context = (input: Record<string, unknown>) =>
    createMockActionContext({
      input: input as any,
      workspacePath,
      templateInfo: { entityRef: 'template:default/create-namespace' },
    });

  it.each([
    [
      400,
      'InputError',
      'destinationSelectors: key "__proto__" is reserved (every JavaScript object has it) and cannot be a selector; use a label key such as environment',
    ],
    [
      403,
      'NotAllowedError',
      'not allowed to place kratix work default/namespace-team-a-create-namespace on Destination prod-1',
    ],
    [409, 'ConflictError', 'files[0].path: "shared.yaml" is a file of work default/flat-one-p'],
  ])('kratix:schedule fails with the API message of a %i', async (status, name, message) => {
    answer = refusal(status, name, message);
    const ctx = context({ promise: 'namespace', resource: 'team-a' });
    const error = await createKratixScheduleAction({ kratix })
      .handler(ctx as any)
      .then(
        () => undefined,
        e => e,
      );
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.message).toBe(message);
    // The task log shows the stack: its first line is the message too.
    expect(String(error.stack).split('\n')[0]).toBe(`ResponseError: ${message}`);
    expect([error.statusCode, error.cause.name, error.cause.message]).toEqual([
      status,
      name,
      message,
    ]);
    expect(String(error.stack)).not.toContain('Request failed with');
  });

  it('kratix:schedule in a dry run fails with the API message too', async () => {
    answer = refusal(
      400,
      'InputError',
      'resource: must not be empty; leave it out for a dependency work',
    );
    const ctx = { ...context({ promise: 'namespace', resource: 'team-a' }), isDryRun: true };
    await expect(createKratixScheduleAction({ kratix }).handler(ctx as any)).rejects.toThrow(
      /^resource: must not be empty; leave it out for a dependency work$/,
    );
  });

  it('kratix:unschedule fails with the API message of a 403', async () => {
    const message = 'not allowed to delete kratix work default/namespace-team-a-delete-namespace';
    answer = refusal(403, 'NotAllowedError', message);
    const ctx = createMockActionContext({
      input: { promise: 'namespace', resource: 'team-a' } as any,
      templateInfo: { entityRef: 'template:default/delete-namespace' },
    });
    const error = await createKratixUnscheduleAction({ kratix })
      .handler(ctx as any)
      .then(
        () => undefined,
        e => e,
      );
    expect([error?.message, error?.statusCode]).toEqual([message, 403]);
    expect(String(error.stack).split('\n')[0]).toBe(`ResponseError: ${message}`);
  });

  it('keeps the status in the message when the answer carries no message (a proxy page)', async () => {
    answer = { status: 502, body: '<html>Bad Gateway</html>', type: 'text/html' };
    const ctx = context({ promise: 'namespace', resource: 'team-a' });
    await expect(createKratixScheduleAction({ kratix }).handler(ctx as any)).rejects.toThrow(
      'Request failed with status 502 Bad Gateway',
    );
  });
});
