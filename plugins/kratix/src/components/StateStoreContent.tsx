import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  InfoCard,
  Link,
  Progress,
  StructuredMetadataTable,
  Table,
  WarningPanel,
} from '@backstage/core-components';
import { EntityRefLink, useEntity } from '@backstage/plugin-catalog-react';
import { Grid } from '@material-ui/core';
import { kratixApiRef, StateStoreStatus } from '../api/KratixApi';
import { ReadyLabel, shortVersion, when } from './StatusLabel';
import { useInterval } from './useInterval';
import { LoadError } from './LoadError';

/** Where a store's files are, as a link a person can open. */
function whereLabel(kind: string, spec: any) {
  if (kind === 'GitStateStore') {
    return (
      <>
        <Link to={spec.url}>{spec.url}</Link> branch <code>{spec.branch ?? 'main'}</code>
        {spec.path ? (
          <>
            {' '}
            under <code>{spec.path}</code>
          </>
        ) : null}
      </>
    );
  }
  const endpoint = /^https?:\/\//.test(spec.endpoint)
    ? spec.endpoint
    : `${spec.insecure ? 'http' : 'https'}://${spec.endpoint}`;
  return (
    <>
      bucket <code>{spec.bucketName}</code> at <Link to={endpoint}>{endpoint}</Link>
      {spec.path ? (
        <>
          {' '}
          under <code>{spec.path}</code>
        </>
      ) : null}
    </>
  );
}

/** The kratix tab of a GitStateStore or BucketStateStore. */
export function StateStoreContent() {
  const { entity } = useEntity();
  const api = useApi(kratixApiRef);
  const namespace = entity.metadata.namespace ?? 'default';
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getStateStore(entity.kind, entity.metadata.name, namespace),
    [api, entity.kind, entity.metadata.name, namespace],
  );
  useInterval(retry, 5000);

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <InfoCard
          title={entity.kind === 'GitStateStore' ? 'Git State Store' : 'Bucket State Store'}
        >
          {loading && !value && <Progress />}
          {error && <LoadError what="the State Store status" error={error} />}
          {!loading && !error && !value && (
            <WarningPanel
              title="Not known to the kratix backend yet"
              message="It reads the catalog every few seconds; an invalid State Store never reaches it."
            />
          )}
          {value && <StoreDetails store={value} />}
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <Table<StateStoreStatus['destinations'][number]>
          title="Destinations using it"
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={[
            {
              title: 'Destination',
              render: d => (
                <EntityRefLink entityRef={{ kind: 'Destination', namespace, name: d.name }} />
              ),
            },
            { title: 'Path', render: d => <code>{d.path}</code> },
            { title: 'Mode', field: 'mode' },
            { title: 'Ready', render: d => (d.ready ? 'yes' : 'no') },
          ]}
          data={value?.destinations ?? []}
          emptyContent={<div style={{ padding: 16 }}>No Destination writes to this store.</div>}
        />
      </Grid>
    </Grid>
  );
}

function StoreDetails(props: { store: StateStoreStatus }) {
  const { store } = props;
  return (
    <StructuredMetadataTable
      metadata={{
        Readiness: <ReadyLabel ready={store.ready} message={store.message} />,
        'Files are in': whereLabel(store.kind, store.spec),
        'Last version written': (
          <code title={store.lastVersion}>
            {shortVersion(store.lastVersion) || '(nothing written yet)'}
          </code>
        ),
        'Last written': when(store.lastWrittenAt) || '(never)',
        'Last full sync': when(store.lastFullSyncAt) || '(never)',
        Placements: `${store.placements.total} (${store.placements.written} written, ${store.placements.failed} failed)`,
        Credentials: store.spec.secretRef?.name
          ? `kratix.secrets.${store.spec.secretRef.name} in app-config`
          : store.spec.authMethod === 'IAM'
            ? 'IAM (default credential chain)'
            : '(none)',
      }}
    />
  );
}
