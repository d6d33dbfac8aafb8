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
import type {
  PlacementEventView,
  PlacementView,
  WorkView,
} from '@kratix-destinations/plugin-kratix-common';
import { kratixApiRef } from '../api/KratixApi';
import { useLiveData } from '../hooks/useLiveData';
import { shortVersion, when } from './format';
import { LinkOrText } from './LinkOrText';
import { LoadError } from './LoadError';
import { PreviewDialog } from './PreviewDialog';
import { StatusLabel } from './StatusLabel';
import { destinationEntityRef } from './destinationEntityRef';

const placementColumns: TableColumn<PlacementView>[] = [
  {
    title: 'Destination',
    render: p => (
      <EntityRefLink entityRef={destinationEntityRef(p.destination, p.destinationRef)} />
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

function WorkCard(props: { work: WorkView; onPreview: () => void }) {
  const w = props.work;
  return (
    <InfoCard title="Work" action={<Button onClick={props.onPreview}>Preview a re-run</Button>}>
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
  );
}

function FilesCard(props: { work: WorkView }) {
  const selectors = (s: Record<string, string>) =>
    Object.entries(s)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || 'none';
  return (
    <InfoCard title="Files">
      {props.work.workloadGroups.map(g => (
        <div key={g.id}>
          <strong>{g.directory === '.' ? 'Default group' : g.directory}</strong> (selectors:{' '}
          {selectors(g.destinationSelectors)})
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
  );
}

function WorkDetails(props: {
  work: WorkView;
  history: PlacementEventView[];
  onPreview: () => void;
}) {
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={6}>
        <WorkCard work={props.work} onPreview={props.onPreview} />
      </Grid>
      <Grid item xs={12} md={6}>
        <FilesCard work={props.work} />
      </Grid>
      <Grid item xs={12}>
        <Table<PlacementView>
          title="Placements"
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={placementColumns}
          data={props.work.placements}
        />
      </Grid>
      <Grid item xs={12}>
        <Table<PlacementEventView>
          title="History"
          options={{ paging: true, pageSize: 10, search: false, padding: 'dense' }}
          columns={historyColumns}
          data={props.history}
        />
      </Grid>
    </Grid>
  );
}

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
  const subtitle = w
    ? `${w.promise}${w.resource ? ` / ${w.resource}` : ' (dependency)'}`
    : undefined;
  return (
    <Page themeId="tool">
      <Header title={`Work ${namespace}/${name}`} subtitle={subtitle} />
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
          <WorkDetails
            work={w}
            history={history.value ?? []}
            onPreview={() => setPreviewing(true)}
          />
        )}
        <PreviewDialog
          work={previewing ? { namespace, name } : undefined}
          onClose={() => setPreviewing(false)}
        />
      </Content>
    </Page>
  );
}
