import { parseEntityRef } from '@backstage/catalog-model';
import { AuthorizeResult, isPermission, PolicyDecision } from '@backstage/plugin-permission-common';
import { PermissionPolicy, PolicyQuery, PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  kratixDestinationReadPermission,
  kratixDestinationSchedulePermission,
  kratixStateStoreReadPermission,
  kratixWorkCreatePermission,
  kratixWorkDeletePermission,
  kratixWorkUpdatePermission,
} from '@kratix-destinations/plugin-kratix-common';
import {
  createKratixDestinationConditionalDecision,
  createKratixWorkConditionalDecision,
  kratixDestinationConditions,
  kratixWorkConditions,
} from '@kratix-destinations/plugin-kratix-node';

export interface ExamplePolicyOptions {
  /** Members of this group may do everything. */
  platformGroup: string;
  /** A Destination labelled `<teamLabel>: <group name>` is open to that group. */
  teamLabel: string;
  /** Work namespaces every user may create works in; otherwise a team's namespace is its group's name. */
  sharedNamespaces: string[];
}

/**
 * A common setup, as an example to copy: the platform group may do
 * everything; other users place works only on Destinations their groups own
 * or that carry a label naming one of their groups, see only those, create
 * works only in the namespaces named after their groups and the shared ones,
 * change or delete only their own works, and do not read State Store pages
 * (a Destination's page shows its store's readiness). Reading works is
 * allowed (a work's view holds file paths, not contents). Everything else
 * is allowed.
 */
export class KratixExamplePolicy implements PermissionPolicy {
  constructor(private readonly options: ExamplePolicyOptions) {}

  async handle(request: PolicyQuery, user?: PolicyQueryUser): Promise<PolicyDecision> {
    const claims = user?.info.ownershipEntityRefs ?? [];
    if (claims.map(c => c.toLowerCase()).includes(this.options.platformGroup.toLowerCase())) {
      return { result: AuthorizeResult.ALLOW };
    }
    const p = request.permission;
    if (
      isPermission(p, kratixDestinationSchedulePermission) ||
      isPermission(p, kratixDestinationReadPermission)
    ) {
      if (!user) return { result: AuthorizeResult.DENY };
      return createKratixDestinationConditionalDecision(p as any, {
        anyOf: this.teamDestinations(claims) as any,
      });
    }
    if (isPermission(p, kratixStateStoreReadPermission)) return { result: AuthorizeResult.DENY };
    if (isPermission(p, kratixWorkCreatePermission)) {
      if (!user) return { result: AuthorizeResult.DENY };
      return createKratixWorkConditionalDecision(
        p,
        kratixWorkConditions.hasWorkNamespace({ namespaces: this.namespacesOf(claims) }),
      );
    }
    if (
      isPermission(p, kratixWorkUpdatePermission) ||
      isPermission(p, kratixWorkDeletePermission)
    ) {
      if (!user) return { result: AuthorizeResult.DENY };
      return createKratixWorkConditionalDecision(
        p as any,
        kratixWorkConditions.isWorkOwner({ claims }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }

  /** A team's namespaces: its groups' names (group:default/team-a gives team-a), and the shared ones. */
  private namespacesOf(claims: string[]) {
    const groups = claims.filter(c => c.startsWith('group:')).map(c => parseEntityRef(c).name);
    return [...new Set([...groups.map(g => g.toLowerCase()), ...this.options.sharedNamespaces])];
  }

  /** Owned by one of the user's refs, or labelled with one of their groups' names. */
  private teamDestinations(claims: string[]) {
    const groups = claims.filter(c => c.startsWith('group:')).map(c => parseEntityRef(c).name);
    return [
      kratixDestinationConditions.isDestinationOwner({ claims }),
      ...groups.map(name =>
        kratixDestinationConditions.hasDestinationLabel({
          key: this.options.teamLabel,
          value: name,
        }),
      ),
    ];
  }
}
