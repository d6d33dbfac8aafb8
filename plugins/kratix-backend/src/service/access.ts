import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  PolicyDecision,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  kratixDestinationReadPermission,
  kratixWorkReadPermission,
} from '@internal/plugin-kratix-common';
import { DestinationResource, WorkResource } from '@internal/plugin-kratix-node';
import type { Request } from 'express';
import type { StoredDestination, StoredWork } from '../database';
import type { Caller } from '../reconciler';
import { destinationResource, resolveCaller } from './caller';

/** Everything a route needs to know who calls and what they may do. */
export class Access {
  constructor(
    readonly deps: {
      httpAuth: HttpAuthService;
      permissions: PermissionsService;
      userInfo: UserInfoService;
      auditor: AuditorService;
      destinationAuthorizer: ReturnType<typeof createConditionAuthorizer<DestinationResource>>;
      workAuthorizer: ReturnType<typeof createConditionAuthorizer<WorkResource>>;
    },
  ) {}

  credentials(req: Request): Promise<BackstageCredentials> {
    return this.deps.httpAuth.credentials(req, { allow: ['user', 'service'] });
  }

  /** Who is calling and where the policy lets them place works. */
  caller(credentials: BackstageCredentials): Promise<Caller> {
    return resolveCaller(credentials, {
      permissions: this.deps.permissions,
      userInfo: this.deps.userInfo,
      authorize: this.deps.destinationAuthorizer,
    });
  }

  /** A basic permission, or a resource permission on one resource: 403 naming what was refused. */
  async require(
    credentials: BackstageCredentials,
    permission: BasicPermission | ResourcePermission,
    what: string,
    resourceRef?: string,
  ): Promise<void> {
    const [d] = await this.deps.permissions.authorize(
      [
        resourceRef
          ? { permission: permission as ResourcePermission, resourceRef }
          : { permission: permission as BasicPermission },
      ],
      { credentials },
    );
    if (d.result !== AuthorizeResult.ALLOW) throw new NotAllowedError(`not allowed to ${what}`);
  }

  /** Many decisions in one call to the policy, in the order asked. */
  async allowed(
    credentials: BackstageCredentials,
    requests: (
      | { permission: BasicPermission }
      | { permission: ResourcePermission; resourceRef: string }
    )[],
  ): Promise<boolean[]> {
    if (requests.length === 0) return [];
    const decisions = await this.deps.permissions.authorize(requests as any, { credentials });
    return decisions.map(d => d.result === AuthorizeResult.ALLOW);
  }

  /** A predicate for the Destinations the caller may see. */
  async destinationFilter(
    credentials: BackstageCredentials,
  ): Promise<(d: StoredDestination) => boolean> {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission: kratixDestinationReadPermission }],
      { credentials },
    );
    return d =>
      this.allows(decision, () =>
        this.deps.destinationAuthorizer(decision, destinationResource(d)),
      );
  }

  /** A predicate for the works the caller may see. */
  async workFilter(credentials: BackstageCredentials): Promise<(w: StoredWork) => boolean> {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission: kratixWorkReadPermission }],
      { credentials },
    );
    return w =>
      this.allows(decision, () =>
        this.deps.workAuthorizer(decision, {
          namespace: w.namespace,
          name: w.name,
          ownerRefs: w.ownerRefs,
        }),
      );
  }

  private allows(decision: PolicyDecision, conditional: () => boolean): boolean {
    if (decision.result === AuthorizeResult.ALLOW) return true;
    if (decision.result === AuthorizeResult.DENY) return false;
    return conditional();
  }
}
