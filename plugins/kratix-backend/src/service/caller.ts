import {
  BackstageCredentials,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult, PolicyDecision } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  kratixDestinationSchedulePermission,
  kratixWorkCreatePermission,
  kratixWorkUpdatePermission,
} from '@kratix-destinations/plugin-kratix-common';
import { DestinationResource, WorkResource } from '@kratix-destinations/plugin-kratix-node';
import type { StoredDestination } from '../database';
import type { Caller } from '../reconciler';

export type DestinationAuthorizer = ReturnType<
  typeof createConditionAuthorizer<DestinationResource>
>;
export type WorkAuthorizer = ReturnType<typeof createConditionAuthorizer<WorkResource>>;

/** What permission rules see of a Destination. */
export function destinationResource(d: StoredDestination): DestinationResource {
  return {
    name: d.name,
    namespace: d.namespace,
    owner: ownerRef(d.spec.owner, d.namespace),
    labels: d.labels,
  };
}

// Backstage's entity ref parts: kind, namespace (a DNS label) and name.
const ENTITY_REF =
  /^(?:([a-zA-Z][a-zA-Z0-9]*):)?(?:([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\/)?([A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

/**
 * `spec.owner` as a full entity ref (a bare name is a group in the
 * Destination's namespace); undefined when it is no entity ref, so one
 * malformed Destination is simply owned by nobody and never fails a policy
 * evaluation for anyone (the catalog module refuses such owners too).
 */
export function ownerRef(owner: unknown, namespace: string): string | undefined {
  if (typeof owner !== 'string' || !owner) return undefined;
  const m = ENTITY_REF.exec(owner);
  if (!m) return undefined;
  return `${(m[1] ?? 'group').toLowerCase()}:${m[2] ?? namespace}/${m[3]}`;
}

/**
 * Whether a decision allows a resource. A conditional decision is applied
 * here; a rule that throws on one odd resource refuses that resource only.
 */
export function decisionAllows<R>(
  authorize: (decision: PolicyDecision, resource: R) => boolean,
  decision: PolicyDecision | undefined,
  resource: () => R,
): boolean {
  if (!decision) return true;
  if (decision.result === AuthorizeResult.ALLOW) return true;
  if (decision.result === AuthorizeResult.DENY) return false;
  try {
    return authorize(decision, resource());
  } catch {
    return false;
  }
}

/**
 * Who is calling and what they may do with works: the user (or service),
 * their ownership refs (who owns the works they create), whether they may
 * create a work or change an existing one (decided by the intake on the row
 * its transaction writes), and the policy's decision for
 * `kratix.destination.schedule`, kept on the work so later placements (on new
 * Destinations) follow the same rule.
 */
export async function resolveCaller(
  credentials: BackstageCredentials,
  deps: {
    permissions: PermissionsService;
    userInfo: UserInfoService;
    authorizeDestination: DestinationAuthorizer;
    authorizeWork: WorkAuthorizer;
  },
): Promise<Caller> {
  const { actor, ownerRefs } = await identityOf(credentials, deps.userInfo);
  const [schedule, create, update] = await deps.permissions.authorizeConditional(
    [
      { permission: kratixDestinationSchedulePermission },
      { permission: kratixWorkCreatePermission },
      { permission: kratixWorkUpdatePermission },
    ],
    { credentials },
  );
  return {
    actor,
    ownerRefs,
    placementConditions: schedule.result === AuthorizeResult.ALLOW ? undefined : schedule,
    mayPlaceOn: d =>
      decisionAllows(deps.authorizeDestination, schedule, () => destinationResource(d)),
    refusal: 'your permission policy does not allow kratix.destination.schedule on them',
    mayCreate: key => decisionAllows(deps.authorizeWork, create, () => ({ ...key, ownerRefs })),
    mayUpdate: work => decisionAllows(deps.authorizeWork, update, () => work),
  };
}

async function identityOf(credentials: BackstageCredentials, userInfo: UserInfoService) {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (principal?.type === 'user' && principal.userEntityRef) {
    const actor = principal.userEntityRef;
    const info = await userInfo.getUserInfo(credentials).catch(() => undefined);
    return { actor, ownerRefs: info?.ownershipEntityRefs ?? [actor] };
  }
  if (principal?.type === 'service' && principal.subject) {
    return { actor: principal.subject, ownerRefs: [principal.subject] };
  }
  return { actor: undefined, ownerRefs: [] as string[] };
}
