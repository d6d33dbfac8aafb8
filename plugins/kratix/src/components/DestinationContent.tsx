import { useApi } from '@backstage/frontend-plugin-api';
import {
  InfoCard,
  Progress,
  StructuredMetadataTable,
  WarningPanel,
} from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { Grid } from '@material-ui/core';
import type { DestinationView } from '@kratix-destinations/plugin-kratix-common';
import { kratixApiRef } from '../api/KratixApi';
import { useLiveData } from '../hooks/useLiveData';
import { DestinationFiles } from './DestinationFiles';
import { when } from './format';
import { LoadError } from './LoadError';
import { PlacementsTable } from './PlacementsTable';
import { ReadyLabel } from './ReadyLabel';

function status(d: DestinationView) {
  const c = d.placementCounts;
  return {
    Readiness: <ReadyLabel ready={d.ready} message={d.message} />,
    Canaries: d.canaries.enabled
      ? `${d.canaries.written ? 'written' : 'not written yet'}: ${d.canaries.paths.join(', ')}`
      : 'disabled',
    Placements: `${c.total} (${c.written} written, ${c.failed} failed, ${c.pending} pending)`,
    Drift: d.drift
      ? `${d.drift.files.length} file(s) changed outside Kratix at ${when(d.drift.at)}: ${d.drift.resolution}`
      : 'none seen',
  };
}

/** The kratix tab of a Destination: its spec, readiness, canaries, placements and the store's files. */
export function DestinationContent() {
  const { entity } = useEntity();
  const api = useApi(kratixApiRef);
  const { value, loading, error } = useLiveData(
    () => api.getDestination(entity.metadata.name),
    [api, entity.metadata.name],
  );
  const storeRef = value && {
    kind: value.stateStore.split(':')[0],
    namespace: entity.metadata.namespace ?? 'default',
    name: value.stateStore.split('/').pop()!,
  };
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <InfoCard title="Destination">
          {value && (
            <StructuredMetadataTable
              metadata={{
                'State Store': storeRef ? <EntityRefLink entityRef={storeRef} /> : '',
                Path: <code>{value.path}</code>,
                'Filepath mode': value.mode,
                Cleanup: value.cleanup,
                Labels:
                  Object.entries(value.labels)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(', ') || '(none)',
              }}
            />
          )}
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
          {value && <StructuredMetadataTable metadata={status(value)} />}
        </InfoCard>
      </Grid>
      {value && (
        <>
          <Grid item xs={12}>
            <PlacementsTable destination={value.name} />
          </Grid>
          <Grid item xs={12}>
            <DestinationFiles destination={value.name} />
          </Grid>
        </>
      )}
    </Grid>
  );
}
