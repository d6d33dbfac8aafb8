import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { kratixApiRef } from '../api/KratixApi';
import { allow, catalog, entityLinks, fakeApi, workView } from '../__testUtils__/fixtures';
import { WorkPage } from './WorkPage';

// Sized for a loaded machine (CI runs beside other work): Jest's 5 s default failed there.
jest.setTimeout(60_000);

describe('WorkPage', () => {
  it('shows the files, where they went and the history with commit links', async () => {
    await renderInTestApp(
      <Routes>
        <Route path="/kratix/works/:namespace/:name" element={<WorkPage />} />
      </Routes>,
      {
        ...entityLinks,
        initialRouteEntries: ['/kratix/works/default/namespace-team-a-create-namespace'],
        apis: [[kratixApiRef, fakeApi()], allow, catalog],
      } as any,
    );
    expect(
      await screen.findByText('Work default/namespace-team-a-create-namespace'),
    ).toBeInTheDocument();
    expect(screen.getByText('namespace.yaml')).toBeInTheDocument();
    expect(
      screen.getByText(/GitStateStore\/demo-git: clusters\/dev-cluster\/resources/),
    ).toBeInTheDocument();
    expect((await screen.findAllByText('user:default/alice')).length).toBeGreaterThanOrEqual(2);
    const commit = screen.getAllByText('01234567').find(e => e.closest('a'));
    expect(commit!.closest('a')).toHaveAttribute(
      'href',
      'https://github.com/org/state/commit/0123456789abcdef0123456789abcdef01234567',
    );
  });

  it('links each Destination to its own catalog page, in its own namespace', async () => {
    const elsewhere = {
      ...workView,
      placements: workView.placements.map(p => ({
        ...p,
        destinationRef: 'destination:platform/dev-cluster',
      })),
    };
    await renderInTestApp(
      <Routes>
        <Route path="/kratix/works/:namespace/:name" element={<WorkPage />} />
      </Routes>,
      {
        ...entityLinks,
        initialRouteEntries: ['/kratix/works/default/namespace-team-a-create-namespace'],
        apis: [
          [kratixApiRef, fakeApi({ getWork: jest.fn(async () => elsewhere) })],
          allow,
          catalog,
        ],
      } as any,
    );
    await screen.findByText('Work default/namespace-team-a-create-namespace');
    const hrefs = screen.getAllByRole('link').map(a => a.getAttribute('href'));
    expect(hrefs).toContain('/catalog/platform/destination/dev-cluster');
    expect(hrefs).not.toContain('/catalog/default/destination/dev-cluster');
  });

  it('says when the work does not exist', async () => {
    await renderInTestApp(
      <Routes>
        <Route path="/kratix/works/:namespace/:name" element={<WorkPage />} />
      </Routes>,
      {
        ...entityLinks,
        initialRouteEntries: ['/kratix/works/default/gone'],
        apis: [[kratixApiRef, fakeApi({ getWork: async () => undefined })], allow, catalog],
      } as any,
    );
    expect(
      await screen.findByText('default/gone is not known (it may have been deleted).'),
    ).toBeInTheDocument();
  });
});
