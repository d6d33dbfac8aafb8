import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';

/** A placement's or work's status, as a coloured label a person can read. */
export function StatusLabel(props: { status: string; misplaced?: boolean }) {
  const { status, misplaced } = props;
  const text = misplaced ? `${status} (misplaced)` : status;
  switch (status) {
    case 'written':
      return misplaced ? <StatusWarning>{text}</StatusWarning> : <StatusOK>{text}</StatusOK>;
    case 'failed':
      return <StatusError>{text}</StatusError>;
    case 'deleting':
      return <StatusRunning>{text}</StatusRunning>;
    case 'orphaned':
      return <StatusWarning>{text}</StatusWarning>;
    default:
      return <StatusPending>{text}</StatusPending>;
  }
}
