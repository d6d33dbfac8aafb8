import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { StatusLabel } from './StatusLabel';
import { ReadyLabel } from './ReadyLabel';
import { shortVersion } from './format';

describe('status labels', () => {
  it('says misplaced and orphaned in words', async () => {
    await renderInTestApp(
      <>
        <StatusLabel status="written" misplaced />
        <StatusLabel status="orphaned" />
        <ReadyLabel ready={false} message="GitStateStore/git: not found" />
      </>,
    );
    expect(screen.getByText('written (misplaced)')).toBeInTheDocument();
    expect(screen.getByText('orphaned')).toBeInTheDocument();
    expect(screen.getByText('Not ready: GitStateStore/git: not found')).toBeInTheDocument();
  });

  it('shortens versions', () => {
    expect(shortVersion('0123456789abcdef0123456789abcdef01234567')).toBe('01234567');
    expect(shortVersion('cd372fb85148700fa88095e3492d3f9f5beb43e555e5ff26d95f5a6adc36f8e6')).toBe(
      'cd372fb85148',
    );
    expect(shortVersion(undefined)).toBe('');
  });
});
