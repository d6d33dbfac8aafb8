import useAsync from 'react-use/esm/useAsync';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Button, Dialog, DialogActions, DialogContent, DialogTitle } from '@material-ui/core';
import { kratixApiRef } from '../api/KratixApi';
import { LoadError } from './LoadError';

/** A file's content, as the store holds it. */
export function FileDialog(props: { destination: string; path?: string; onClose: () => void }) {
  const api = useApi(kratixApiRef);
  const { value, loading, error } = useAsync(
    async () => (props.path ? api.getFileContent(props.destination, props.path) : undefined),
    [api, props.destination, props.path],
  );
  return (
    <Dialog open={Boolean(props.path)} onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>{props.path}</DialogTitle>
      <DialogContent>
        {loading && <Progress />}
        {error && <LoadError what="the file" error={error} />}
        {value !== undefined && <pre aria-label="File content">{value}</pre>}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
