import { Table, TableColumn } from '@backstage/core-components';
import type { Placement } from '../api/KratixApi';
import { shortVersion, StatusLabel, when } from './StatusLabel';

const columns: TableColumn<Placement>[] = [
  { title: 'Work', render: p => `${p.work.namespace}/${p.work.name}` },
  { title: 'Promise', field: 'promise' },
  { title: 'Resource', render: p => p.resource ?? '(dependency)' },
  { title: 'Namespace', field: 'namespace' },
  { title: 'Path in the store', render: p => <code>{p.location?.path ?? ''}</code> },
  { title: 'Status', render: p => <StatusLabel status={p.status} misplaced={p.misplaced} /> },
  { title: 'Version', render: p => <code title={p.version}>{shortVersion(p.version)}</code> },
  { title: 'Last error', render: p => p.lastError ?? '' },
  { title: 'Last written', render: p => when(p.writtenAt) },
];

/** Every placement on a Destination. */
export function PlacementsTable(props: { placements: Placement[] }) {
  return (
    <Table<Placement>
      title="Placements"
      options={{
        paging: props.placements.length > 20,
        pageSize: 20,
        search: props.placements.length > 5,
        padding: 'dense',
      }}
      columns={columns}
      data={props.placements}
      emptyContent={
        <div style={{ padding: 16 }}>No work is scheduled to this Destination yet.</div>
      }
    />
  );
}
