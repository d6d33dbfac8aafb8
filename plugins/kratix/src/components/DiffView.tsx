import { makeStyles } from '@material-ui/core';
import type { DestinationPreview } from '@kratix-destinations/plugin-kratix-common';

const useStyles = makeStyles(theme => ({
  pre: {
    fontSize: 12,
    overflowX: 'auto',
    background: theme.palette.background.default,
    padding: theme.spacing(1),
  },
  add: { color: theme.palette.success?.main ?? 'green' },
  del: { color: theme.palette.error.main },
}));

function lineClass(line: string, classes: { add: string; del: string }): string | undefined {
  if (line.startsWith('+') && !line.startsWith('+++')) return classes.add;
  if (line.startsWith('-') && !line.startsWith('---')) return classes.del;
  return undefined;
}

/** One unified diff, lines coloured by what they do. */
function Diff(props: { text: string }) {
  const classes = useStyles();
  return (
    <pre className={classes.pre}>
      {props.text.split('\n').map((line, i) => (
        <div key={i} className={lineClass(line, classes)}>
          {line || ' '}
        </div>
      ))}
    </pre>
  );
}

/** What each Destination's store would change, as diffs; binary files named, not printed. */
export function DiffView(props: { previews: DestinationPreview[] }) {
  if (props.previews.length === 0) return <p>No Destination matches: nothing would be written.</p>;
  return (
    <>
      {props.previews.map(d => (
        <section key={d.destination} aria-label={`Changes for ${d.destination}`}>
          <h3>
            {d.destination} <small>({d.stateStore})</small>
          </h3>
          {d.error && <p>The store could not be compared: {d.error}</p>}
          {!d.error && d.changes.length === 0 && <p>No change: the store already holds this.</p>}
          {d.changes.map(c =>
            c.binary ? (
              <p key={c.path}>
                Binary file <code>{c.path}</code> ({c.action})
              </p>
            ) : (
              <Diff key={c.path} text={c.diff ?? `${c.action} ${c.path}`} />
            ),
          )}
          {d.omitted > 0 && <p>… and {d.omitted} more files.</p>}
        </section>
      ))}
    </>
  );
}
