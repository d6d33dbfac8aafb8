import { WarningPanel } from '@backstage/core-components';

/** A failed load, said in words: the message, never a stack trace. */
export function LoadError(props: { what: string; error: Error }) {
  return (
    <WarningPanel
      severity="error"
      title={`Could not load ${props.what}`}
      message={props.error.message}
    />
  );
}
