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
} from '@kratix-destinations/plugin-kratix-common';
import { DestinationResource, WorkResource } from '@kratix-destinations/plugin-kratix-node';
import type { Request } from 'express';
import type { StoredDestination, StoredWork } from '../database';
import type { Caller } from '../reconciler';
import { decisionAllows, destinationResource, resolveCaller } from './caller';

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
      authorizeDestination: this.deps.destinationAuthorizer,
      authorizeWork: this.deps.workAuthorizer,
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
    // The service takes either kind of request; TypeScript cannot pick the overload for a mixed list.
    const decisions = await this.deps.permissions.authorize(requests as any, { credentials });
    return decisions.map(d => d.result === AuthorizeResult.ALLOW);
  }

  /** The policy's decision for reading Destinations: allow, deny, or the conditions. */
  async destinationReadDecision(credentials: BackstageCredentials): Promise<PolicyDecision> {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission: kratixDestinationReadPermission }],
      { credentials },
    );
    return decision;
  }

  /** A predicate for the Destinations the caller may see. */
  async destinationFilter(
    credentials: BackstageCredentials,
  ): Promise<(d: StoredDestination) => boolean> {
    const decision = await this.destinationReadDecision(credentials);
    return d =>
      decisionAllows(this.deps.destinationAuthorizer, decision, () => destinationResource(d));
  }

  /** The policy's decision for reading works: allow, deny, or the conditions. */
  async workReadDecision(credentials: BackstageCredentials): Promise<PolicyDecision> {
    const [decision] = await this.deps.permissions.authorizeConditional(
      [{ permission: kratixWorkReadPermission }],
      { credentials },
    );
    return decision;
  }

  /** A predicate for the works the caller may see. */
  async workFilter(credentials: BackstageCredentials): Promise<(w: StoredWork) => boolean> {
    const decision = await this.workReadDecision(credentials);
    return w =>
      decisionAllows(this.deps.workAuthorizer, decision, () => ({
        namespace: w.namespace,
        name: w.name,
        ownerRefs: w.ownerRefs,
      }));
  }
}
