import {
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import {
  KRATIX_DESTINATION_RESOURCE_TYPE,
  KRATIX_WORK_RESOURCE_TYPE,
} from '@kratix-destinations/plugin-kratix-common';
import { z } from 'zod';

/** What permission rules see of a Destination. */
export interface DestinationResource {
  name: string;
  namespace: string;
  /** `spec.owner` as an entity ref (`group:default/team-a`), if any. */
  owner?: string;
  labels: Record<string, string>;
}

/** What permission rules see of a work. */
export interface WorkResource {
  namespace: string;
  name: string;
  /** Its creator and the groups they belonged to. */
  ownerRefs: string[];
}

export type DestinationQuery = { owners?: string[]; label?: { key: string; value?: string } };
export type WorkQuery = { owners?: string[]; namespaces?: string[] };

export const kratixDestinationResourceRef = createPermissionResourceRef<
  DestinationResource,
  DestinationQuery
>().with({
  pluginId: 'kratix',
  resourceType: KRATIX_DESTINATION_RESOURCE_TYPE,
});

export const kratixWorkResourceRef = createPermissionResourceRef<WorkResource, WorkQuery>().with({
  pluginId: 'kratix',
  resourceType: KRATIX_WORK_RESOURCE_TYPE,
});

/** The Destination's `spec.owner` is one of the claims (the user and their groups). */
export const isDestinationOwner = createPermissionRule({
  name: 'IS_DESTINATION_OWNER',
  description:
    "Allow Destinations whose spec.owner is one of the given refs (the user's ownership refs)",
  resourceRef: kratixDestinationResourceRef,
  paramsSchema: z.object({
    claims: z.array(z.string()).describe('Entity refs, e.g. group:default/team-a'),
  }),
  apply: (d, { claims }) =>
    Boolean(d.owner) && claims.map(c => c.toLowerCase()).includes(d.owner!.toLowerCase()),
  toQuery: ({ claims }) => ({ owners: claims }),
});

/** The Destination carries a label (with a value, when given). */
export const hasDestinationLabel = createPermissionRule({
  name: 'HAS_DESTINATION_LABEL',
  description: 'Allow Destinations that carry a label, optionally with a given value',
  resourceRef: kratixDestinationResourceRef,
  paramsSchema: z.object({ key: z.string(), value: z.string().optional() }),
  apply: (d, { key, value }) => (value === undefined ? key in d.labels : d.labels[key] === value),
  toQuery: ({ key, value }) => ({ label: { key, value } }),
});

/** The work was created by one of the claims (the user, or a group they were in). */
export const isWorkOwner = createPermissionRule({
  name: 'IS_WORK_OWNER',
  description: 'Allow works created by one of the given refs or by a member of one of them',
  resourceRef: kratixWorkResourceRef,
  paramsSchema: z.object({ claims: z.array(z.string()) }),
  apply: (w, { claims }) => {
    const set = new Set(claims.map(c => c.toLowerCase()));
    return w.ownerRefs.some(r => set.has(r.toLowerCase()));
  },
  toQuery: ({ claims }) => ({ owners: claims }),
});

/** The work is in one of the namespaces. */
export const hasWorkNamespace = createPermissionRule({
  name: 'HAS_WORK_NAMESPACE',
  description: 'Allow works in one of the given namespaces',
  resourceRef: kratixWorkResourceRef,
  paramsSchema: z.object({ namespaces: z.array(z.string()) }),
  apply: (w, { namespaces }) => namespaces.includes(w.namespace),
  toQuery: ({ namespaces }) => ({ namespaces }),
});

export const kratixDestinationRules = { isDestinationOwner, hasDestinationLabel };
export const kratixWorkRules = { isWorkOwner, hasWorkNamespace };

/** For permission policies: `kratixDestinationConditions.isDestinationOwner({ claims })`, … */
export const {
  conditions: kratixDestinationConditions,
  createConditionalDecision: createKratixDestinationConditionalDecision,
} = createConditionExports({
  resourceRef: kratixDestinationResourceRef,
  rules: kratixDestinationRules,
});

export const {
  conditions: kratixWorkConditions,
  createConditionalDecision: createKratixWorkConditionalDecision,
} = createConditionExports({ resourceRef: kratixWorkResourceRef, rules: kratixWorkRules });
