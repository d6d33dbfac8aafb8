import { fireEvent, screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { kratixApiRef } from '../api/KratixApi';
import { catalog, destination, entityLinks, fakeApi } from '../__testUtils__/fixtures';
import { DestinationContent } from './DestinationContent';

const render = (api = fakeApi()) =>
  renderInTestApp(
    <EntityProvider entity={destination}>
      <DestinationContent />
    </EntityProvider>,
    { ...entityLinks, apis: [[kratixApiRef, api], catalog] },
  );

// Sized for a loaded machine (CI runs beside other work): Jest's 5 s default failed there.
jest.setTimeout(60_000);

describe('DestinationContent', () => {
  it('shows the spec, readiness, canaries and placements', async () => {
    await render();
    expect(
      await screen.findByText('Ready: Test documents written to State Store'),
    ).toBeInTheDocument();
    expect(screen.getByText('demo-git')).toBeInTheDocument();
    expect(screen.getByText('nestedByMetadata')).toBeInTheDocument();
    expect(
      screen.getByText(/written: dev-cluster\/dependencies\/kratix-canary-namespace.yaml/),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(
        'clusters/dev-cluster/resources/default/namespace/team-a/create-namespace/5058f',
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByText('01234567').length).toBeGreaterThan(0);
    expect(screen.getByText('1 (1 written, 0 failed, 0 pending)')).toBeInTheDocument();
  });

  it("shows the store's files, managed or not, and a file's content on click", async () => {
    const api = fakeApi();
    await render(api);
    const files = (await screen.findByText('Files')).closest('div')!.parentElement!.parentElement!;
    expect(await within(document.body).findByText('notes.txt')).toBeInTheDocument();
    expect(screen.getByText('not managed')).toBeInTheDocument();
    expect(files).toBeTruthy();
    fireEvent.click(screen.getByRole('link', { name: 'Show notes.txt' }));
    expect(await screen.findByLabelText('File content')).toHaveTextContent('kind: Namespace');
    expect(api.getFileContent).toHaveBeenCalledWith('dev-cluster', 'dev-cluster/notes.txt');
  });

  it('says when the backend does not know the Destination', async () => {
    await render(fakeApi({ getDestination: async () => undefined }));
    expect(await screen.findByText(/Not known to the kratix backend yet/)).toBeInTheDocument();
  });

  it('shows an error without a stack trace', async () => {
    await render(
      fakeApi({
        getDestination: async () => {
          throw new Error('kratix backend unreachable');
        },
      }),
    );
    expect(await screen.findByText('kratix backend unreachable')).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/\.test\.tsx/);
  });
});
