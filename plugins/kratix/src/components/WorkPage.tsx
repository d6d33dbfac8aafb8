import { useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  Content,
  Header,
  InfoCard,
  Page,
  Progress,
  StructuredMetadataTable,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Button, Grid } from '@material-ui/core';
import type { PlacementEventView, PlacementView } from '@internal/plugin-kratix-common';
import { kratixApiRef } from '../api/KratixApi';
import { useLiveData } from '../hooks/useLiveData';
import { shortVersion, when } from './format';
import { LinkOrText } from './LinkOrText';
import { LoadError } from './LoadError';
import { PreviewDialog } from './PreviewDialog';
import { StatusLabel } from './StatusLabel';

const placementColumns: TableColumn<PlacementView>[] = [
  {
    title: 'Destination',
    render: p => (
      <EntityRefLink
        entityRef={{ kind: 'Destination', namespace: 'default', name: p.destination }}
      />
    ),
  },
  { title: 'Group', render: p => <code>{p.directory}</code> },
  { title: 'Status', render: p => <StatusLabel status={p.status} misplaced={p.misplaced} /> },
  {
    title: 'Where',
    render: p => (
      <LinkOrText to={p.location?.webUrl}>
        <code>{p.location ? `${p.location.stateStore}: ${p.location.path}` : ''}</code>
      </LinkOrText>
    ),
  },
  { title: 'Version', render: p => <code title={p.version}>{shortVersion(p.version)}</code> },
  {
    title: 'Last error',
    render: p =>
      p.lastError ??
      (p.drift
        ? `files changed outside Kratix at ${when(p.drift.at)} (${p.drift.resolution})`
        : ''),
  },
  { title: 'Last written', render: p => when(p.writtenAt) },
];

const historyColumns: TableColumn<PlacementEventView>[] = [
  { title: 'When', render: e => when(e.at) },
  { title: 'What', field: 'action' },
  { title: 'Destination', field: 'destination' },
  {
    title: 'Version',
    render: e => (
      <LinkOrText to={e.webUrl}>
        <code title={e.version}>{shortVersion(e.version)}</code>
      </LinkOrText>
    ),
  },
  { title: 'By', render: e => e.actor ?? '' },
  { title: 'Message', render: e => e.message ?? '' },
];

/** One work: its files, where each group went and how that went, its history, and a preview of a re-run. */
export function WorkPage() {
  const { namespace = '', name = '' } = useParams();
  const api = useApi(kratixApiRef);
  const [previewing, setPreviewing] = useState(false);
  const work = useLiveData(() => api.getWork({ namespace, name }), [api, namespace, name]);
  const history = useLiveData(
    () => api.getWorkHistory({ namespace, name }),
    [api, namespace, name],
  );
  const w = work.value;
  return (
    <Page themeId="tool">
      <Header
        title={`Work ${namespace}/${name}`}
        subtitle={
          w ? `${w.promise}${w.resource ? ` / ${w.resource}` : ' (dependency)'}` : undefined
        }
      />
      <Content>
        {work.loading && !w && <Progress />}
        {work.error && <LoadError what="the work" error={work.error} />}
        {!work.loading && !work.error && !w && (
          <WarningPanel
            title="No such work"
            message={`${namespace}/${name} is not known (it may have been deleted).`}
          />
        )}
        {w && (
          <Grid container spacing={3}>
            <Grid item xs={12} md={6}>
              <InfoCard
                title="Work"
                action={<Button onClick={() => setPreviewing(true)}>Preview a re-run</Button>}
              >
                <StructuredMetadataTable
                  metadata={{
                    Status: <StatusLabel status={w.status} />,
                    Pipeline: w.pipeline || '(static)',
                    'Created by': w.createdBy ?? '',
                    Created: when(w.createdAt),
                    Updated: when(w.updatedAt),
                    'Pending groups': w.pendingGroups.length
                      ? w.pendingGroups.map(g => g.slice(0, 5)).join(', ')
                      : 'none',
                  }}
                />
              </InfoCard>
            </Grid>
            <Grid item xs={12} md={6}>
              <InfoCard title="Files">
                {w.workloadGroups.map(g => (
                  <div key={g.id}>
                    <strong>{g.directory === '.' ? 'Default group' : g.directory}</strong>{' '}
                    (selectors:{' '}
                    {Object.entries(g.destinationSelectors)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ') || 'none'}
                    )
                    <ul>
                      {g.files.map(f => (
                        <li key={f}>
                          <code>{f}</code>
                        </li>
                      ))}
                    </ul>
                  </div>
                ))}
              </InfoCard>
            </Grid>
            <Grid item xs={12}>
              <Table<PlacementView>
                title="Placements"
                options={{ paging: false, search: false, padding: 'dense' }}
                columns={placementColumns}
                data={w.placements}
              />
            </Grid>
            <Grid item xs={12}>
              <Table<PlacementEventView>
                title="History"
                options={{ paging: true, pageSize: 10, search: false, padding: 'dense' }}
                columns={historyColumns}
                data={history.value ?? []}
              />
            </Grid>
          </Grid>
        )}
        <PreviewDialog
          work={previewing ? { namespace, name } : undefined}
          onClose={() => setPreviewing(false)}
        />
      </Content>
    </Page>
  );
}
