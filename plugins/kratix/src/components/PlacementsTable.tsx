import { useState } from 'react';
import { Link, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Button } from '@material-ui/core';
import type { PlacementView } from '@kratix-destinations/plugin-kratix-common';
import { kratixApiRef } from '../api/KratixApi';
import { useLiveData } from '../hooks/useLiveData';
import { shortVersion, when } from './format';
import { LinkOrText } from './LinkOrText';
import { LoadError } from './LoadError';
import { StatusLabel } from './StatusLabel';

const PAGE = 25;

const columns: TableColumn<PlacementView>[] = [
  {
    title: 'Work',
    render: p => (
      <Link
        to={`/kratix/works/${p.work.namespace}/${p.work.name}`}
      >{`${p.work.namespace}/${p.work.name}`}</Link>
    ),
  },
  { title: 'Promise', field: 'promise' },
  { title: 'Resource', render: p => p.resource ?? '(dependency)' },
  {
    title: 'Path in the store',
    render: p => (
      <LinkOrText to={p.location?.webUrl}>
        <code>{p.location?.path ?? ''}</code>
      </LinkOrText>
    ),
  },
  { title: 'Status', render: p => <StatusLabel status={p.status} misplaced={p.misplaced} /> },
  { title: 'Version', render: p => <code title={p.version}>{shortVersion(p.version)}</code> },
  {
    title: 'Last error',
    render: p => p.lastError ?? (p.drift ? `changed outside Kratix (${p.drift.resolution})` : ''),
  },
  { title: 'Last written', render: p => when(p.writtenAt) },
];

/** The placements on a Destination, a page at a time. */
export function PlacementsTable(props: { destination: string }) {
  const api = useApi(kratixApiRef);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const { value, error } = useLiveData(
    () => api.listPlacements(props.destination, { limit: PAGE, cursor }),
    [api, props.destination, cursor],
  );
  if (error) return <LoadError what="the placements" error={error} />;
  return (
    <>
      <Table<PlacementView>
        title={`Placements (${value?.totalCount ?? 0})`}
        options={{ paging: false, search: false, padding: 'dense' }}
        columns={columns}
        data={value?.items ?? []}
        isLoading={!value}
        emptyContent={
          <div style={{ padding: 16 }}>No work is scheduled to this Destination yet.</div>
        }
      />
      {cursors.length > 1 && (
        <Button onClick={() => setCursors(c => c.slice(0, -1))}>Previous</Button>
      )}
      {value?.nextCursor && (
        <Button onClick={() => setCursors(c => [...c, value.nextCursor])}>Next</Button>
      )}
    </>
  );
}
