import { useApi } from '@backstage/frontend-plugin-api';
import { InfoCard, Progress, StructuredMetadataTable } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import type { DestinationView, StateStoreView } from '@kratix-destinations/plugin-kratix-common';
import { kratixApiRef } from '../api/KratixApi';
import { useLiveData } from '../hooks/useLiveData';
import { shortVersion } from './format';
import { LoadError } from './LoadError';
import { ReadyLabel } from './ReadyLabel';

/** A small readiness card for the Overview tab of a Destination or State Store. */
export function KratixStatusCard() {
  const { entity } = useEntity();
  const api = useApi(kratixApiRef);
  const isDestination = entity.kind.toLocaleLowerCase('en-US') === 'destination';
  const { value, loading, error } = useLiveData<DestinationView | StateStoreView | undefined>(
    () =>
      isDestination
        ? api.getDestination(entity.metadata.name)
        : api.getStateStore(
            entity.kind,
            entity.metadata.name,
            entity.metadata.namespace ?? 'default',
          ),
    [api, entity.kind, entity.metadata.name],
  );
  return (
    <InfoCard title="Kratix" deepLink={{ title: 'Placements and details', link: 'kratix' }}>
      {loading && !value && <Progress />}
      {error && <LoadError what="the status" error={error} />}
      {!loading && !error && !value && <>Not known to the kratix backend yet.</>}
      {value && (
        <StructuredMetadataTable
          metadata={{
            Readiness: <ReadyLabel ready={value.ready} message={value.message} />,
            ...(isDestination
              ? { Placements: summary(value as DestinationView) }
              : {
                  'Last version written': (
                    <code>
                      {shortVersion((value as StateStoreView).lastVersion) || '(nothing yet)'}
                    </code>
                  ),
                }),
          }}
        />
      )}
    </InfoCard>
  );
}

function summary(d: DestinationView): string {
  return `${d.placementCounts.total} (${d.placementCounts.written} written)`;
}
