import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  DestinationEntity,
  goClean,
  isKratixEntity,
  validateKratixEntity,
} from '@kratix-destinations/plugin-kratix-common';
import { CatalogChangePublisher } from './CatalogChangePublisher';
import { DestinationClaims } from './DestinationClaims';

/** Validates Destination, GitStateStore and BucketStateStore entities and relates them. */
export class KratixEntitiesProcessor implements CatalogProcessor {
  constructor(
    private readonly claims: DestinationClaims,
    private readonly changes?: CatalogChangePublisher,
  ) {}

  getProcessorName(): string {
    return 'KratixEntitiesProcessor';
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (!isKratixEntity(entity)) return false;
    const result = validateKratixEntity(entity);
    if (!result.ok) {
      throw new Error(
        `${entity.kind} "${entity.metadata.name}" is invalid: ${result.errors.join('; ')}`,
      );
    }
    if (entity.kind === 'Destination')
      await this.checkClaims(entity, (result.entity as DestinationEntity).spec);
    return true;
  }

  /**
   * Names unique across namespaces, one Destination per store path, and an immutable mode, as
   * Kratix; and, unlike Kratix, no Destination inside another's path on one store (the outer
   * one's files would be the inner one's too).
   */
  private async checkClaims(entity: Entity, spec: DestinationEntity['spec']) {
    const ref = stringifyEntityRef(entity);
    const namespace = entity.metadata.namespace ?? 'default';
    const outcome = await this.claims.claim({
      name: entity.metadata.name,
      entityRef: ref,
      uid: entity.metadata.uid,
      store: `${spec.stateStoreRef.kind}:${namespace}/${spec.stateStoreRef.name}`,
      cleanPath: goClean(spec.path).replace(/^\/+/, '') || '.',
      mode: spec.filepath.mode,
    });
    if (outcome.nameHeldBy) {
      throw new Error(
        `metadata.name: a Destination named "${entity.metadata.name}" already exists (${outcome.nameHeldBy}); Destination names are unique across namespaces, as in Kratix: choose another name`,
      );
    }
    if (outcome.createdWithMode) {
      throw new Error(
        `spec.filepath.mode: is immutable (Destination "${entity.metadata.name}" was created with ${outcome.createdWithMode}); delete the Destination and create it again to change its mode`,
      );
    }
    if (outcome.pathHeldBy) {
      throw new Error(
        `spec.path: destination path '${spec.path}' already exists for state store '${spec.stateStoreRef.name}' (used by ${outcome.pathHeldBy}); choose another path`,
      );
    }
    if (outcome.nestsWith) {
      const other = outcome.nestsWith;
      const store = `${spec.stateStoreRef.kind}/${namespace}/${spec.stateStoreRef.name}`;
      throw new Error(
        `spec.path: ${JSON.stringify(spec.path)} ${other.inside ? 'is inside' : 'contains'} the path ${JSON.stringify(other.cleanPath)} of Destination ${other.name} on ${store}; give it a path outside other Destinations' paths`,
      );
    }
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isKratixEntity(entity)) return entity;
    this.changes?.processed(entity);
    const self = getCompoundEntityRef(entity);
    const namespace = self.namespace;
    const spec = entity.spec as any;
    if (entity.kind === 'Destination' && spec?.stateStoreRef?.kind && spec.stateStoreRef.name) {
      const store = { kind: spec.stateStoreRef.kind, namespace, name: spec.stateStoreRef.name };
      emit(processingResult.relation({ source: self, type: RELATION_DEPENDS_ON, target: store }));
      emit(
        processingResult.relation({ source: store, type: RELATION_DEPENDENCY_OF, target: self }),
      );
    }
    if (typeof spec?.owner === 'string' && spec.owner) {
      const owner = parseEntityRef(spec.owner, {
        defaultKind: 'Group',
        defaultNamespace: namespace,
      });
      emit(processingResult.relation({ source: self, type: RELATION_OWNED_BY, target: owner }));
      emit(processingResult.relation({ source: owner, type: RELATION_OWNER_OF, target: self }));
    }
    return entity;
  }
}
