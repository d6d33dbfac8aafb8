import useAsync from 'react-use/esm/useAsync';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle } from '@material-ui/core';
import { kratixApiRef, WorkKey } from '../api/KratixApi';
import { DiffView } from './DiffView';
import { LoadError } from './LoadError';

/** What a re-run of a work would change in each store; nothing is written. */
export function PreviewDialog(props: { work?: WorkKey; onClose: () => void }) {
  const api = useApi(kratixApiRef);
  const { value, loading, error } = useAsync(
    async () => (props.work ? api.previewWork(props.work) : undefined),
    [api, props.work?.namespace, props.work?.name],
  );
  return (
    <Dialog open={Boolean(props.work)} onClose={props.onClose} maxWidth="lg" fullWidth>
      <DialogTitle>
        Preview: {props.work?.namespace}/{props.work?.name} sent again
      </DialogTitle>
      <DialogContent>
        {loading && <Progress />}
        {error && <LoadError what="the preview" error={error} />}
        {value && <DiffView previews={value.preview ?? []} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
