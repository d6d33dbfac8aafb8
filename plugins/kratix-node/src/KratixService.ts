import {
  AuthService,
  BackstageCredentials,
  coreServices,
  createServiceFactory,
  createServiceRef,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ScheduleResult,
  WorkRequest,
  WorkView,
} from '@kratix-destinations/plugin-kratix-common';

/**
 * A failed call to the kratix API as an error whose message is the API's own
 * (`error.message` of its JSON body, e.g. `resource: must not be empty; …`),
 * so a scaffolder task's log says what to fix rather than `Request failed
 * with 400`. Still a ResponseError: `statusCode`, `body` and `cause` (the
 * API's error, by name) stay available. A body without a message (a proxy's
 * page) keeps the generic `Request failed with <status> <text>`.
 */
export async function kratixApiError(res: Response): Promise<ResponseError> {
  const error = await ResponseError.fromResponse(res);
  const message = (error.body as { error?: { message?: unknown } } | undefined)?.error?.message;
  if (typeof message !== 'string' || message === '') return error;
  // The stack's first line is what a task log shows: it carries the message too.
  const generic = `${error.name}: ${error.message}`;
  error.message = message;
  if (error.stack?.startsWith(generic)) {
    error.stack = `${error.name}: ${message}${error.stack.slice(generic.length)}`;
  }
  return error;
}

/** What other backend plugins use to schedule works; the kratix backend owns the data and checks permissions. */
export interface KratixService {
  /** Creates or updates a work; with `dryRun`, only reports where it would go. */
  scheduleWork(
    request: WorkRequest,
    options: { credentials: BackstageCredentials; dryRun?: boolean },
  ): Promise<ScheduleResult>;
  /** Deletes a work; its files leave every Destination. Returns false when there was no such work. */
  unscheduleWork(
    work: { namespace: string; name: string },
    options: { credentials: BackstageCredentials },
  ): Promise<{ deleted: boolean; destinations: string[] }>;
  getWork(
    work: { namespace: string; name: string },
    options: { credentials: BackstageCredentials },
  ): Promise<WorkView | undefined>;
}

/** Calls the kratix backend over HTTP, found through discovery, on behalf of the caller. */
export class DefaultKratixService implements KratixService {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly auth: AuthService,
  ) {}

  private async request(
    path: string,
    init: RequestInit,
    credentials: BackstageCredentials,
  ): Promise<Response> {
    const base = await this.discovery.getBaseUrl('kratix');
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'kratix',
    });
    return fetch(`${base}${path}`, {
      ...init,
      headers: {
        ...(init.headers as Record<string, string>),
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
    });
  }

  async scheduleWork(
    request: WorkRequest,
    options: { credentials: BackstageCredentials; dryRun?: boolean },
  ): Promise<ScheduleResult> {
    const res = await this.request(
      `/works${options.dryRun ? '?dryRun=true' : ''}`,
      { method: 'POST', body: JSON.stringify(request) },
      options.credentials,
    );
    if (!res.ok) throw await kratixApiError(res);
    return res.json();
  }

  async unscheduleWork(
    work: { namespace: string; name: string },
    options: { credentials: BackstageCredentials },
  ) {
    const res = await this.request(
      `/works/${encodeURIComponent(work.namespace)}/${encodeURIComponent(work.name)}`,
      { method: 'DELETE' },
      options.credentials,
    );
    if (res.status === 404) return { deleted: false, destinations: [] };
    if (!res.ok) throw await kratixApiError(res);
    const body = await res.json();
    return { deleted: true, destinations: body.destinations ?? [] };
  }

  async getWork(
    work: { namespace: string; name: string },
    options: { credentials: BackstageCredentials },
  ) {
    const res = await this.request(
      `/works/${encodeURIComponent(work.namespace)}/${encodeURIComponent(work.name)}`,
      { method: 'GET' },
      options.credentials,
    );
    if (res.status === 404) return undefined;
    if (!res.ok) throw await kratixApiError(res);
    return res.json();
  }
}

export const kratixServiceRef = createServiceRef<KratixService>({
  id: 'kratix.service',
  scope: 'plugin',
  defaultFactory: async service =>
    createServiceFactory({
      service,
      deps: { discovery: coreServices.discovery, auth: coreServices.auth },
      factory: ({ discovery, auth }) => new DefaultKratixService(discovery, auth),
    }),
});
