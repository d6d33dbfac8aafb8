import { Link } from '@backstage/core-components';
import { ReactNode } from 'react';

/** A link when the host's web UI is known, plain text otherwise. */
export function LinkOrText(props: { to?: string; children: ReactNode }) {
  return props.to ? <Link to={props.to}>{props.children}</Link> : <>{props.children}</>;
}
