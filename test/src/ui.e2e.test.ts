import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { GitServer, pushWithCli, readRepo, startGitServer } from '@internal/state-store-servers';
import { eventually, ROOT, RunningBackend, startBackend, writeEntities } from './harness/backend';

jest.setTimeout(600_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = path.join(ROOT, '.test-results', 'screenshots');

/** The catalog: a git State Store and its Destinations, and a failing store with a guest-owned one. */
const catalog = (url: string) => [
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'GitStateStore',
    metadata: { name: 'git' },
    spec: { url, path: 'clusters', secretRef: { name: 'git' } },
  },
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name: 'dev-1', labels: { environment: 'dev' } },
    spec: {
      path: 'dev-1',
      stateStoreRef: { kind: 'GitStateStore', name: 'git' },
      cleanup: 'all',
    },
  },
  // A Destination no test schedules to (no template asks for environment=empty).
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name: 'empty-1', labels: { environment: 'empty' } },
    spec: { path: 'empty-1', stateStoreRef: { kind: 'GitStateStore', name: 'git' } },
  },
  // A store that cannot be reached, and a Destination on it that the guest owns: its failure is told to them.
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'GitStateStore',
    metadata: { name: 'broken' },
    spec: { url: 'http://127.0.0.1:9/broken.git', secretRef: { name: 'git' } },
  },
  {
    apiVersion: 'platform.kratix.io/v1alpha1',
    kind: 'Destination',
    metadata: { name: 'guest-owned', labels: { environment: 'broken' } },
    spec: {
      path: 'guest-owned',
      stateStoreRef: { kind: 'GitStateStore', name: 'broken' },
      owner: 'user:development/guest',
    },
  },
];

/** The browser and the built frontend this test needs. */
function checkPrerequisites() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium), as .ci/run does, or set CHROMIUM_PATH`,
    );
  }
  // The backend serves packages/app/dist (app-backend); `npm test` builds it before Jest starts.
  if (!fs.existsSync(path.join(ROOT, 'packages/app/dist/index.html'))) {
    throw new Error(
      'packages/app/dist is missing: run the tests with `npm test`, which builds the frontend first',
    );
  }
}

const launchChromium = () =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

describe('the UI in a real browser (guest sign-in, Destination page, scaffolder, works page)', () => {
  let git: GitServer;
  let backend: RunningBackend;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let repo: string;
  let gitUrl: string;

  beforeAll(async () => {
    checkPrerequisites();
    await fs.promises.mkdir(SHOTS, { recursive: true });
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-ui-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    const url = await git.createRepo('state');
    repo = git.repoPath('state');
    const entities = path.join(dir, 'entities.yaml');
    await writeEntities(entities, catalog(url));
    gitUrl = url;
    backend = await startBackend({
      locations: [entities, path.join(ROOT, 'examples/templates/create-namespace.yaml')],
      env: { GIT_PASSWORD: git.password },
      config: {
        app: { title: 'Kratix Destinations for Backstage' },
        permission: { enabled: true },
        kratix: {
          signals: { recipients: ['user:development/guest'] },
          secrets: {
            git: {
              allowedHosts: ['127.0.0.1'],
              username: git.username,
              password: '${GIT_PASSWORD}',
            },
          },
        },
      },
    });
    await eventually(
      async () => {
        expect((await backend.api('/api/kratix/destinations/dev-1')).body?.ready).toBe(true);
        expect(
          (await backend.api('/api/catalog/entities/by-name/template/default/create-namespace'))
            .status,
        ).toBe(200);
      },
      120_000,
      'backend ready',
    );
    browser = await launchChromium();
  });
  // Each test has its own browser context: its own sign-in, storage and init scripts.
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
  });
  afterEach(async () => {
    await context?.close();
  });
  afterAll(async () => {
    await browser?.close();
    await backend?.stop();
    await git?.stop();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  const app = (p: string) => `${backend.baseUrl.replace('127.0.0.1', 'localhost')}${p}`;
  const shot = (name: string) =>
    page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  /** Signs in as guest on the start page, as a user does. */
  async function signIn() {
    await page.goto(app('/'));
    await page.getByRole('button', { name: /enter/i }).click();
    await page.getByRole('link', { name: 'Kratix works' }).waitFor({ timeout: 60_000 });
  }

  /** Runs template (a) through the scaffolder API as the guest, and waits for its files. */
  async function createNamespace(name: string) {
    const guest = await fetch(`${backend.baseUrl}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    const token = (await guest.json()).backstageIdentity.token;
    const created = await backend.api('/api/scaffolder/v2/tasks', {
      method: 'POST',
      token,
      json: {
        templateRef: 'template:default/create-namespace',
        values: { name, environment: 'dev' },
      },
    });
    expect(created.status).toBe(201);
    await eventually(
      async () => {
        const work = await backend.api(
          `/api/kratix/works/default/namespace-${name}-create-namespace`,
        );
        expect(work.body.placements.map((p: any) => p.status)).toEqual(['written']);
      },
      120_000,
      `${name} written`,
    );
  }
  const nsFile = (name: string) =>
    `clusters/dev-1/resources/default/namespace/${name}/create-namespace/5058f/namespace.yaml`;

  it('signs in as guest', async () => {
    await signIn();
    expect(await page.getByRole('link', { name: 'Kratix works' }).isVisible()).toBe(true);
  });

  it('lists Destinations in the catalog with their own columns', async () => {
    await signIn();
    await page.goto(app('/catalog?filters[kind]=destination&filters[user]=all'));
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'dev-1' }) });
    await row.waitFor({ timeout: 60_000 });
    // The catalog lists Destinations with their own columns.
    for (const header of ['Path', 'State Store', 'Mode', 'Labels', 'Cleanup']) {
      await page.getByRole('columnheader', { name: header }).waitFor();
    }
    await row.getByText('GitStateStore/git').waitFor();
    await row.getByText('environment=dev').waitFor();
    await shot('1-catalog-destinations');
  });

  it('opens a Destination and sees its State Store, readiness and canaries', async () => {
    await signIn();
    await page.goto(app('/catalog/default/destination/empty-1/kratix'));
    await page
      .getByText('Ready: Test documents written to State Store')
      .waitFor({ timeout: 60_000 });
    await page.getByText('No work is scheduled to this Destination yet.').waitFor();
    await page.getByRole('link', { name: 'git' }).first().waitFor();
    await shot('2-destination-empty');
  });

  it('runs template (a) from the scaffolder page', async () => {
    await signIn();
    await page.goto(app('/create'));
    const card = page
      .locator('div', { has: page.getByText('Kubernetes namespace', { exact: true }) })
      .filter({ has: page.getByRole('button', { name: /choose/i }) })
      .last();
    await card.getByRole('button', { name: /choose/i }).click();
    await page.getByLabel(/^Name/).first().fill('team-ui');
    await page.getByRole('button', { name: /review/i }).click();
    await shot('3-template-review');
    await page.getByRole('button', { name: /create/i }).click();
    await page.getByText(/goes to: dev-1/).waitFor({ timeout: 120_000 });
    await shot('4-template-done');
  });

  it('sees the placement written on the Destination page, with its path and commit', async () => {
    await createNamespace('team-placed');
    await signIn();
    await page.goto(app('/catalog/default/destination/dev-1/kratix'));
    const row = page
      .getByRole('row')
      .filter({ hasText: 'default/namespace-team-placed-create-namespace' });
    await row.getByText('written', { exact: true }).waitFor({ timeout: 60_000 });
    await row
      .getByText('clusters/dev-1/resources/default/namespace/team-placed/create-namespace/5058f')
      .waitFor();
    const files = await readRepo(repo);
    expect(files.get(nsFile('team-placed'))).toContain('name: team-placed');
    await shot('5-destination-written');
  });

  it('shows the State Store page', async () => {
    await signIn();
    await page.goto(app('/catalog/default/gitstatestore/git/kratix'));
    await page.getByText('Ready: State store is ready').waitFor({ timeout: 60_000 });
    await page.getByText(`${git.baseUrl}/state.git`).first().waitFor();
    await page.getByRole('link', { name: 'dev-1' }).first().waitFor();
    await shot('6-state-store');
  });

  it('shows the works page', async () => {
    await createNamespace('team-works');
    await signIn();
    await page.goto(app('/kratix'));
    await page
      .getByText('default/namespace-team-works-create-namespace')
      .waitFor({ timeout: 60_000 });
    await page
      .getByRole('button', { name: 'Delete default/namespace-team-works-create-namespace' })
      .waitFor();
    await shot('7-works');
  });

  it("runs a template's dry run in the template editor and sees the diff of what the store would change", async () => {
    const template = await fs.promises.readFile(
      path.join(ROOT, 'examples/templates/create-namespace.yaml'),
      'utf8',
    );
    const skeleton = path.join(ROOT, 'examples/templates/skeletons/namespace');
    const files: Record<string, string> = { 'template.yaml': template };
    for (const f of await fs.promises.readdir(skeleton))
      files[`skeletons/namespace/${f}`] = await fs.promises.readFile(
        path.join(skeleton, f),
        'utf8',
      );
    // The editor asks for a local directory (File System Access API): hand it one in the origin's private file system.
    await page.addInitScript((content: Record<string, string>) => {
      (window as any).showDirectoryPicker = async () => {
        const root = await (navigator as any).storage.getDirectory();
        const folder = await root.getDirectoryHandle('template', { create: true });
        for (const [p, text] of Object.entries(content)) {
          const parts = p.split('/');
          let d = folder;
          for (const part of parts.slice(0, -1))
            d = await d.getDirectoryHandle(part, { create: true });
          const w = await (
            await d.getFileHandle(parts[parts.length - 1], { create: true })
          ).createWritable();
          await w.write(text);
          await w.close();
        }
        return folder;
      };
    }, files);
    await signIn();
    await page.goto(app('/create/edit'));
    await page.getByText('Load Template Directory').click();
    await page.getByText('template.yaml').first().click({ timeout: 60_000 });
    await page.getByLabel(/^Name/).first().fill('team-dry');
    await page
      .getByRole('button', { name: /^review$/i })
      .click()
      .catch(() => undefined);
    await page.getByRole('button', { name: /^create$/i }).click();
    await page.getByText('Dry-run results').waitFor({ timeout: 60_000 });
    await page.getByRole('tab', { name: 'Log' }).click();
    await page.getByRole('button', { name: 'Schedule to a Destination' }).click();
    // The log view shows only the lines in view: search brings the diff's line into it.
    await page.getByPlaceholder('Search').fill('+  name: team-dry');
    await page
      .getByText(/\+\s*name: team-dry/)
      .first()
      .waitFor({ timeout: 60_000 });
    await shot('8-template-dry-run-diff');
    // A dry run writes nothing.
    expect([...(await readRepo(repo)).keys()].filter(k => k.includes('team-dry'))).toEqual([]);
  });

  it("shows the store's files on the Destination page, and a file's content", async () => {
    await createNamespace('team-files');
    await signIn();
    await page.goto(app('/catalog/default/destination/dev-1/kratix'));
    const link = page.getByRole('link', {
      name: 'Show resources/default/namespace/team-files/create-namespace/5058f/namespace.yaml',
    });
    await link.waitFor({ timeout: 60_000 });
    await page.getByText('default/namespace-team-files-create-namespace').first().waitFor();
    await link.click();
    await page
      .getByLabel('File content')
      .getByText(/name: team-files/)
      .waitFor();
    await shot('9-destination-files');
    await page.keyboard.press('Escape');
  });

  it('sees a foreign commit to a managed file as drift, repaired, on the Destination page', async () => {
    await createNamespace('team-drift');
    const file = nsFile('team-drift');
    await pushWithCli(gitUrl, git, { [file]: 'hand-edited: true\n' }, 'edit by hand');
    await eventually(
      async () => expect((await readRepo(repo)).get(file)).toContain('name: team-drift'),
      60_000,
      'drift repaired',
    );
    await signIn();
    await page.goto(app('/catalog/default/destination/dev-1/kratix'));
    await page
      .getByText(/1 file\(s\) changed outside Kratix at .*: repaired/)
      .waitFor({ timeout: 60_000 });
    await shot('10-destination-drift');
  });

  it("tells a failing store's Destination owner, in Backstage notifications", async () => {
    await signIn();
    await page.goto(app('/notifications'));
    await page
      .getByText('Kratix: GitStateStore/broken cannot be written')
      .first()
      .waitFor({ timeout: 90_000 });
    await shot('11-notification-failing-store');
  });
});
