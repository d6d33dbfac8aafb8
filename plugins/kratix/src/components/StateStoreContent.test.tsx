import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { kratixApiRef } from '../api/KratixApi';
import { catalog, entityLinks, fakeApi, gitStore, storeView } from '../__testUtils__/fixtures';
import { StateStoreContent } from './StateStoreContent';

// Sized for a loaded machine (CI runs beside other work): Jest's 5 s default failed there.
jest.setTimeout(60_000);

describe('StateStoreContent', () => {
  it('shows readiness, where the files are, the last version, where its credentials come from and its Destinations', async () => {
    await renderInTestApp(
      <EntityProvider entity={gitStore}>
        <StateStoreContent />
      </EntityProvider>,
      { ...entityLinks, apis: [[kratixApiRef, fakeApi()], catalog] },
    );
    expect(await screen.findByText('Ready: State store is ready')).toBeInTheDocument();
    expect(screen.getByText('http://127.0.0.1:8470/state.git')).toBeInTheDocument();
    expect(screen.getByText('01234567')).toBeInTheDocument();
    expect(
      screen.getByText('kratix.secrets.demo-git in app-config (basic auth)'),
    ).toBeInTheDocument();
    expect(screen.getByText('dev-cluster', { selector: 'a, a *' })).toBeInTheDocument();
  });

  it('says when a failing store is tried next', async () => {
    const failing = {
      ...storeView,
      ready: false,
      status: 'NotReady' as const,
      message: 'cannot reach it',
      nextAttemptAt: '2026-11-24T05:00:00.000Z',
    };
    await renderInTestApp(
      <EntityProvider entity={gitStore}>
        <StateStoreContent />
      </EntityProvider>,
      {
        ...entityLinks,
        apis: [[kratixApiRef, fakeApi({ getStateStore: async () => failing })], catalog],
      },
    );
    expect(await screen.findByText('Not ready: cannot reach it')).toBeInTheDocument();
    expect(
      screen.getByText(new Date('2026-11-24T05:00:00.000Z').toLocaleString()),
    ).toBeInTheDocument();
  });
});
