import { useState } from 'react';
import { Content, EmptyState, Link, Table, TableColumn } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { Button, IconButton, TextField, Tooltip } from '@material-ui/core';
import VisibilityIcon from '@material-ui/icons/Visibility';
import type { WorkSummary } from '@kratix-destinations/plugin-kratix-common';
import { kratixApiRef, WorkKey } from '../api/KratixApi';
import { useLiveData } from '../hooks/useLiveData';
import { DeleteWorkButton } from './DeleteWorkButton';
import { when } from './format';
import { LoadError } from './LoadError';
import { PreviewDialog } from './PreviewDialog';
import { StatusLabel } from './StatusLabel';
import { destinationEntityRef } from './destinationEntityRef';

const PAGE = 25;

function WorkDestinations(props: { work: WorkSummary }) {
  if (props.work.destinations.length === 0) return <em>none matches yet</em>;
  return (
    <>
      {props.work.destinations.map(d => (
        <div key={d.name}>
          <EntityRefLink entityRef={destinationEntityRef(d.name, d.entityRef)} />{' '}
          <StatusLabel status={d.status} misplaced={d.misplaced} />
        </div>
      ))}
    </>
  );
}

function workColumns(
  onPreview: (w: WorkKey) => void,
  onDeleted: () => void,
): TableColumn<WorkSummary>[] {
  return [
    {
      title: 'Work',
      render: w => (
        <Link to={`/kratix/works/${w.namespace}/${w.name}`}>
          <strong>
            {w.namespace}/{w.name}
          </strong>
        </Link>
      ),
    },
    { title: 'Promise', field: 'promise' },
    { title: 'Resource', render: w => w.resource ?? '(dependency)' },
    { title: 'Pipeline', field: 'pipeline' },
    { title: 'Destinations', render: w => <WorkDestinations work={w} /> },
    { title: 'Status', render: w => <StatusLabel status={w.status} /> },
    { title: 'Created by', render: w => w.createdBy ?? '' },
    { title: 'Updated', render: w => when(w.updatedAt) },
    {
      title: '',
      render: w => (
        <>
          <Tooltip title="Preview what sending this work again would change">
            <IconButton
              aria-label={`Preview ${w.namespace}/${w.name}`}
              onClick={() => onPreview(w)}
            >
              <VisibilityIcon />
            </IconButton>
          </Tooltip>
          <DeleteWorkButton work={w} onDeleted={onDeleted} />
        </>
      ),
    },
  ];
}

function NoWorks() {
  return (
    <EmptyState
      missing="data"
      title="No works yet"
      description="Run a template that uses the kratix:schedule action, or POST to /api/kratix/works, to schedule documents to your Destinations."
    />
  );
}

/** Every work, a page at a time, searched in the backend; preview a re-run, delete with confirmation. */
export function WorksPage() {
  const api = useApi(kratixApiRef);
  const [search, setSearch] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [preview, setPreview] = useState<WorkKey | undefined>();
  const cursor = cursors[cursors.length - 1];
  const { value, loading, error, retry } = useLiveData(
    () => api.listWorks({ search, limit: PAGE, cursor }),
    [api, search, cursor],
  );
  return (
    <Content>
      <TextField
        id="kratix-works-search"
        label="Search works"
        placeholder="namespace/name, promise or resource"
        value={search}
        onChange={e => {
          setSearch(e.target.value);
          setCursors([undefined]);
        }}
        fullWidth
        margin="dense"
      />
      {error && <LoadError what="the works" error={error} />}
      {value && value.totalCount === 0 && !search && <NoWorks />}
      {(search || (value?.totalCount ?? 1) > 0) && (
        <Table<WorkSummary>
          title={`Works (${value?.totalCount ?? 0})`}
          options={{ paging: false, search: false, padding: 'dense' }}
          columns={workColumns(setPreview, retry)}
          data={value?.items ?? []}
          isLoading={loading && !value}
        />
      )}
      {cursors.length > 1 && (
        <Button onClick={() => setCursors(c => c.slice(0, -1))}>Previous</Button>
      )}
      {value?.nextCursor && (
        <Button onClick={() => setCursors(c => [...c, value.nextCursor])}>Next</Button>
      )}
      <PreviewDialog work={preview} onClose={() => setPreview(undefined)} />
    </Content>
  );
}
