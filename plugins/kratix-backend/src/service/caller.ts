import {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult, PolicyDecision } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { kratixDestinationSchedulePermission } from '@internal/plugin-kratix-common';
import { DestinationResource } from '@internal/plugin-kratix-node';
import type { StoredDestination } from '../database';
import type { Caller } from '../reconciler';

export type DestinationAuthorizer = ReturnType<
  typeof createConditionAuthorizer<DestinationResource>
>;

/** What permission rules see of a Destination. */
export function destinationResource(d: StoredDestination): DestinationResource {
  return {
    name: d.name,
    namespace: d.namespace,
    owner: ownerRef(d.spec.owner, d.namespace),
    labels: d.labels,
  };
}

/** `spec.owner` as a full entity ref (a bare name is a group in the Destination's namespace). */
export function ownerRef(owner: string | undefined, namespace: string): string | undefined {
  if (!owner) return undefined;
  const m = /^(?:([^:]+):)?(?:([^/]+)\/)?(.+)$/.exec(owner)!;
  return `${(m[1] ?? 'group').toLowerCase()}:${m[2] ?? namespace}/${m[3]}`;
}

/** Whether a stored permission decision allows placing on a Destination. */
export function decisionAllows(
  authorize: DestinationAuthorizer,
  decision: PolicyDecision | undefined,
  d: StoredDestination,
): boolean {
  if (!decision) return true;
  if (decision.result === AuthorizeResult.ALLOW) return true;
  if (decision.result === AuthorizeResult.DENY) return false;
  return authorize(decision, destinationResource(d));
}

/**
 * Who is calling and where they may place works: the user (or service),
 * their ownership refs (who owns the works they create), and the policy's
 * decision for `kratix.destination.schedule`, kept on the work so later
 * placements (on new Destinations) follow the same rule.
 */
export async function resolveCaller(
  credentials: BackstageCredentials,
  deps: {
    permissions: PermissionsService;
    userInfo: UserInfoService;
    authorize: DestinationAuthorizer;
  },
): Promise<Caller> {
  const principal: any = credentials.principal;
  let actor: string | undefined;
  let ownerRefs: string[] = [];
  if (principal?.type === 'user') {
    actor = principal.userEntityRef;
    const info = await deps.userInfo.getUserInfo(credentials).catch(() => undefined);
    ownerRefs = info?.ownershipEntityRefs ?? [actor!];
  } else if (principal?.type === 'service') {
    actor = principal.subject;
    ownerRefs = [principal.subject];
  }
  const [decision] = await deps.permissions.authorizeConditional(
    [{ permission: kratixDestinationSchedulePermission }],
    { credentials },
  );
  const stored = decision.result === AuthorizeResult.ALLOW ? undefined : decision;
  return {
    actor,
    ownerRefs,
    placementConditions: stored,
    mayPlaceOn: d => decisionAllows(deps.authorize, decision, d),
    refusal: 'your permission policy does not allow kratix.destination.schedule on them',
  };
}
