import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { DiffView } from './DiffView';

// Sized for a loaded machine (CI runs beside other work): Jest's 5 s default failed there.
jest.setTimeout(60_000);

describe('DiffView', () => {
  it('prints diffs, names binary files, counts what it left out and says why a store could not be compared', async () => {
    await renderInTestApp(
      <DiffView
        previews={[
          {
            destination: 'dev',
            stateStore: 'GitStateStore/git',
            omitted: 3,
            changes: [
              { path: 'a.yaml', action: 'add', diff: '+++ b/a.yaml\n+a: 1\n' },
              { path: 'b.bin', action: 'change', binary: true },
            ],
          },
          {
            destination: 'prod',
            stateStore: 'BucketStateStore/s3',
            omitted: 0,
            changes: [],
            error: 'BucketStateStore/s3: cannot reach 127.0.0.1:9 (ECONNREFUSED)',
          },
        ]}
      />,
    );
    expect(screen.getByText('+a: 1')).toBeInTheDocument();
    expect(screen.getByText('b.bin')).toBeInTheDocument();
    expect(screen.getByText('… and 3 more files.')).toBeInTheDocument();
    expect(screen.getByText(/cannot reach 127.0.0.1:9/)).toBeInTheDocument();
  });
});
