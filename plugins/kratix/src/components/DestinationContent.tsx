import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  InfoCard,
  Progress,
  StructuredMetadataTable,
  WarningPanel,
} from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { Grid } from '@material-ui/core';
import { kratixApiRef } from '../api/KratixApi';
import { PlacementsTable } from './PlacementsTable';
import { ReadyLabel } from './StatusLabel';
import { useInterval } from './useInterval';
import { LoadError } from './LoadError';

/** The kratix tab of a Destination: its spec, readiness, canaries and placements. */
export function DestinationContent() {
  const { entity } = useEntity();
  const api = useApi(kratixApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getDestination(entity.metadata.name),
    [api, entity.metadata.name],
  );
  useInterval(retry, 5000);
  const spec: any = entity.spec ?? {};
  const mode = spec.filepath?.mode ?? 'nestedByMetadata';
  const storeRef = spec.stateStoreRef
    ? {
        kind: spec.stateStoreRef.kind,
        namespace: entity.metadata.namespace ?? 'default',
        name: spec.stateStoreRef.name,
      }
    : undefined;

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <InfoCard title="Destination">
          <StructuredMetadataTable
            metadata={{
              'State Store': storeRef ? <EntityRefLink entityRef={storeRef} /> : '',
              Path: <code>{spec.path}</code>,
              'Filepath mode':
                mode === 'aggregatedYAML'
                  ? `aggregatedYAML (${spec.filepath?.filename ?? 'aggregated.yaml'})`
                  : mode,
              Cleanup: spec.cleanup ?? 'none',
              Labels:
                Object.entries(entity.metadata.labels ?? {})
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ') || '(none)',
              'Strict match labels': spec.strictMatchLabels ? 'yes' : 'no',
              'Init workloads': spec.initWorkloads?.enabled === false ? 'disabled' : 'enabled',
            }}
          />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Status">
          {loading && !value && <Progress />}
          {error && <LoadError what="the Destination status" error={error} />}
          {!loading && !error && !value && (
            <WarningPanel
              title="Not known to the kratix backend yet"
              message="It reads the catalog every few seconds; an invalid Destination never reaches it."
            />
          )}
          {value && (
            <StructuredMetadataTable
              metadata={{
                Readiness: <ReadyLabel ready={value.ready} message={value.message} />,
                Canaries: value.canaries.enabled
                  ? `${value.canaries.written ? 'written' : 'not written yet'}: ${value.canaries.paths.join(', ')}`
                  : 'disabled',
                Placements: `${value.placements.length} (${value.placements.filter(p => p.status === 'written').length} written, ${value.placements.filter(p => p.status === 'failed').length} failed)`,
              }}
            />
          )}
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        {value && <PlacementsTable placements={value.placements} />}
      </Grid>
    </Grid>
  );
}
