import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { kratixApiRef } from '../api/KratixApi';
import { catalog, destination, entityLinks, fakeApi, gitStore } from '../__testUtils__/fixtures';
import { KratixStatusCard } from './KratixStatusCard';

// Sized for a loaded machine (CI runs beside other work): Jest's 5 s default failed there.
jest.setTimeout(60_000);

describe('KratixStatusCard', () => {
  it("shows a Destination's readiness and placements on its overview", async () => {
    await renderInTestApp(
      <EntityProvider entity={destination}>
        <KratixStatusCard />
      </EntityProvider>,
      { ...entityLinks, apis: [[kratixApiRef, fakeApi()], catalog] },
    );
    expect(
      await screen.findByText('Ready: Test documents written to State Store'),
    ).toBeInTheDocument();
    expect(screen.getByText('1 (1 written)')).toBeInTheDocument();
  });

  it("shows a State Store's readiness and last version", async () => {
    await renderInTestApp(
      <EntityProvider entity={gitStore}>
        <KratixStatusCard />
      </EntityProvider>,
      { ...entityLinks, apis: [[kratixApiRef, fakeApi()], catalog] },
    );
    expect(await screen.findByText('Ready: State store is ready')).toBeInTheDocument();
    expect(screen.getByText('01234567')).toBeInTheDocument();
  });
});
