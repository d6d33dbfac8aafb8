import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import { InfoCard, Progress, StructuredMetadataTable } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { DestinationStatus, kratixApiRef, StateStoreStatus } from '../api/KratixApi';
import { LoadError } from './LoadError';
import { ReadyLabel, shortVersion } from './StatusLabel';
import { useInterval } from './useInterval';

/** A small readiness card for the Overview tab of a Destination or State Store. */
export function KratixStatusCard() {
  const { entity } = useEntity();
  const api = useApi(kratixApiRef);
  const isDestination = entity.kind.toLocaleLowerCase('en-US') === 'destination';
  const { value, loading, error, retry } = useAsyncRetry(
    async () =>
      isDestination
        ? api.getDestination(entity.metadata.name)
        : api.getStateStore(
            entity.kind,
            entity.metadata.name,
            entity.metadata.namespace ?? 'default',
          ),
    [api, entity.kind, entity.metadata.name],
  );
  useInterval(retry, 10000);
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
              ? { Placements: placementsSummary(value as DestinationStatus) }
              : {
                  'Last version written': (
                    <code>
                      {shortVersion((value as StateStoreStatus).lastVersion) || '(nothing yet)'}
                    </code>
                  ),
                }),
          }}
        />
      )}
    </InfoCard>
  );
}

function placementsSummary(d: DestinationStatus): string {
  return `${d.placements.length} (${d.placements.filter(p => p.status === 'written').length} written)`;
}
