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
import type {
  CredentialSourceView,
  StateStoreView,
} from '@kratix-destinations/plugin-kratix-common';
import { kratixApiRef } from '../api/KratixApi';
import { useLiveData } from '../hooks/useLiveData';
import { shortVersion, when } from './format';
import { LoadError } from './LoadError';
import { ReadyLabel } from './ReadyLabel';

/** Where a store's files are, as a link a person can open. */
function whereLabel(kind: string, spec: Record<string, any>) {
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
  const { value, loading, error } = useLiveData(
    () => api.getStateStore(entity.kind, entity.metadata.name, namespace),
    [api, entity.kind, entity.metadata.name, namespace],
  );

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
        <Table<StateStoreView['destinations'][number]>
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

/** Where the credentials come from, never what they are. */
function credentialsLabel(c: CredentialSourceView): string {
  switch (c.type) {
    case 'secret':
      return `kratix.secrets.${c.name} in app-config (${c.detail})`;
    case 'integration':
      return `the ${c.detail} integration for ${c.name} in app-config`;
    case 'iam':
      return `IAM: ${c.detail}`;
    default:
      return c.detail ? `none (${c.detail})` : 'none';
  }
}

function StoreDetails(props: { store: StateStoreView }) {
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
        Credentials: credentialsLabel(store.credentials),
        ...(store.nextAttemptAt ? { 'Next try': when(store.nextAttemptAt) } : {}),
      }}
    />
  );
}
