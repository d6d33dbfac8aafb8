import { fireEvent, screen, waitFor } from '@testing-library/react';
import { SWRConfig } from 'swr';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { kratixApiRef } from '../api/KratixApi';
import { allow, catalog, deny, entityLinks, fakeApi, workSummary } from '../__testUtils__/fixtures';
import { WorksPage } from './WorksPage';

const withWork = () =>
  fakeApi({ listWorks: jest.fn(async () => ({ items: [workSummary], totalCount: 1 })) });

// Sized for a loaded machine (CI runs beside other work): Jest's 5 s default failed there.
jest.setTimeout(60_000);

describe('WorksPage', () => {
  it('shows an empty state', async () => {
    await renderInTestApp(<WorksPage />, {
      ...entityLinks,
      apis: [[kratixApiRef, fakeApi()], allow, catalog],
    });
    expect(await screen.findByText('No works yet')).toBeInTheDocument();
  });

  it('searches in the backend, a page at a time', async () => {
    const api = withWork();
    await renderInTestApp(<WorksPage />, {
      ...entityLinks,
      apis: [[kratixApiRef, api], allow, catalog],
    });
    expect(
      await screen.findByText('default/namespace-team-a-create-namespace'),
    ).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Search works'), { target: { value: 'team-a' } });
    await waitFor(() =>
      expect(api.listWorks).toHaveBeenLastCalledWith({
        search: 'team-a',
        limit: 25,
        cursor: undefined,
      }),
    );
  });

  it('lists works and deletes one after confirmation', async () => {
    const api = withWork();
    await renderInTestApp(<WorksPage />, {
      ...entityLinks,
      apis: [[kratixApiRef, api], allow, catalog],
    });
    const button = await screen.findByRole('button', {
      name: 'Delete default/namespace-team-a-create-namespace',
    });
    await waitFor(() => expect(button).toBeEnabled());
    fireEvent.click(button);
    expect(
      await screen.findByText('Delete default/namespace-team-a-create-namespace?'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Its files are removed from dev-cluster. This cannot be undone.'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(api.deleteWork).toHaveBeenCalledWith(
        expect.objectContaining({
          namespace: 'default',
          name: 'namespace-team-a-create-namespace',
        }),
      ),
    );
  });

  it('previews a re-run as diffs', async () => {
    const api = withWork();
    await renderInTestApp(<WorksPage />, {
      ...entityLinks,
      apis: [[kratixApiRef, api], allow, catalog],
    });
    fireEvent.click(
      await screen.findByRole('button', {
        name: 'Preview default/namespace-team-a-create-namespace',
      }),
    );
    expect(await screen.findByText('+a: 2')).toBeInTheDocument();
    expect(screen.getByText('-a: 1')).toBeInTheDocument();
  });

  it('disables deleting, saying why, when the permission is denied', async () => {
    // usePermission caches decisions (swr): a fresh cache, or the earlier ALLOW would answer.
    await renderInTestApp(
      <SWRConfig value={{ provider: () => new Map() }}>
        <WorksPage />
      </SWRConfig>,
      { ...entityLinks, apis: [[kratixApiRef, withWork()], deny, catalog] },
    );
    const button = await screen.findByRole('button', {
      name: 'Delete default/namespace-team-a-create-namespace',
    });
    await waitFor(() => expect(button).toBeDisabled());
    expect(
      screen.getByTitle('Your permissions do not allow deleting this work (kratix.work.delete)'),
    ).toBeInTheDocument();
  });
});
