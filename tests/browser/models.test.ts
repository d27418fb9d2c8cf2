/**
 * Every trained model is usable, in a real browser: a finished session's quick assessment appears
 * on /assessments (linked to its session, the content aligned with the header); /draw with that
 * session's CNN picked answers with its version; its version page shows who trained it, the
 * download and the report card. Screenshots land in tests/artifacts/.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerNewerVersions, tinyCnn } from '../helpers/models';
import { artifactPath, drawShape, inPage, launchBrowser } from '../helpers/browser';
import { connectClient, ok, pickNickname, startTestServer, type TestServer } from '../helpers/server';

const FIXTURE = path.resolve('tests/fixtures/fashion-mnist');
let server: TestServer;
let browser: Browser;
let outRoot: string;
let versionId = 0;
let tag = '';

beforeAll(async () => {
  outRoot = await mkdtemp(path.join(os.tmpdir(), 'models-browser-'));
  const modelDir = path.join(outRoot, 'served-cnn');
  [server, browser] = await Promise.all([
    startTestServer({ draw: { modelDir }, sessions: { dataDir: FIXTURE, outRoot, testLimit: 200 }, pages: true }),
    launchBrowser(),
  ]);
  const { saveLayersModel } = await import('../../server/ml/models/storage');
  await saveLayersModel(await tinyCnn(7), modelDir);
  await writeFile(
    path.join(modelDir, 'training-log.json'),
    JSON.stringify({ kind: 'cnn', note: 'untrained test model' }),
  );

  // A tiny session, trained to the end over the socket as the sessions page does.
  const c = await connectClient(server.url, (await pickNickname(server.url, 'Ada')).cookie);
  const { sessionId } = await ok(c, 'session:create', {
    config: { name: 'browser test', kind: 'cnn', epochs: 1, batchSize: 32, trainLimit: 256 },
  });
  await ok(c, 'session:join', { sessionId, since: null });
  await ok(c, 'session:control', { sessionId, action: 'start' });
  const end = Date.now() + 240_000;
  for (;;) {
    const { assessments } = await ok(c, 'assessments:list', {});
    const mine = assessments.find((a) => a.source === 'session' && a.session?.id === sessionId);
    if (mine) {
      versionId = mine.modelVersion.id;
      break;
    }
    if (Date.now() > end) throw new Error('the session assessment never appeared');
    await new Promise((r) => setTimeout(r, 300));
  }
  tag = (await ok(c, 'models:list', { kind: 'cnn' })).versions.find((v) => v.id === versionId)!.tag;
  c.disconnect();
}, 600_000);

/** A test in a fresh desktop page that must see no page problems (see inPage). */
const pageTest = (name: string, use: (page: Page) => Promise<void>, timeout = 60_000) =>
  it(name, { timeout }, () => inPage(browser, use));

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(outRoot, { recursive: true, force: true });
});

pageTest("lists the finished session's assessment on /assessments, aligned with the header", async (page) => {
  await page.goto(server.url + '/assessments');
  const link = page.getByTestId('assessment-session').first();
  await link.waitFor({ timeout: 15_000 });
  expect(await link.innerText()).toContain('browser test');
  const headerLeft = (await page.locator('header a').first().boundingBox())!.x;
  const contentLeft = (await page.locator('main h1').boundingBox())!.x;
  expect(contentLeft).toBeGreaterThanOrEqual(headerLeft - 1);
  await page.screenshot({ path: artifactPath('assessments-desktop.png'), fullPage: true });
});

pageTest('picks the version named in the link from its page (/draw?model=<id>)', async (page) => {
  await page.goto(`${server.url}/draw?model=${versionId}`);
  await expect
    .poll(() => page.getByTestId('model-picker-cnn').inputValue(), { timeout: 15_000 })
    .toBe(String(versionId));
});

pageTest('answers on /draw with the picked session CNN', async (page) => {
  const frames: string[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (f) => String(f.payload).includes('draw:recognize') && frames.push(String(f.payload))),
  );
  await page.goto(server.url + '/draw');
  const picker = page.getByTestId('model-picker-cnn');
  await picker.locator(`option[value="${versionId}"]`).waitFor({ state: 'attached', timeout: 15_000 });
  // Drawn first with the served model; picking the session's CNN afterwards asks it at once.
  await drawShape(page, [
    [0.3, 0.2],
    [0.7, 0.2],
    [0.7, 0.8],
    [0.3, 0.8],
    [0.3, 0.2],
  ]);
  const versionTag = () =>
    page
      .getByTestId('model-version-tag')
      .innerText()
      .catch(() => '');
  await expect.poll(versionTag, { timeout: 15_000 }).not.toBe('');
  expect(await versionTag()).not.toBe(tag);
  await picker.selectOption(String(versionId));
  await expect
    .poll(
      () =>
        page
          .getByTestId('model-version-tag')
          .innerText()
          .catch(() => ''),
      { timeout: 15_000 },
    )
    .toBe(tag);
  expect(frames.some((f) => f.includes(`"modelVersionId":${versionId}`))).toBe(true);
  await page.screenshot({ path: artifactPath('draw-picked-model.png'), fullPage: true });
});

pageTest(
  'shows the version page: who trained it, the download and the report card',
  async (page) => {
    await page.goto(`${server.url}/models/${versionId}`);
    await page.getByTestId('model-origin').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('model-origin').innerText()).toContain('Trained by Ada');
    expect(await page.getByTestId('download').getAttribute('href')).toBe(`/api/models/${versionId}/archive`);
    await expect
      .poll(
        () => page.getByTestId('report-card').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
        {
          timeout: 60_000,
        },
      )
      .toBe(1200);
    expect(await page.getByTestId('model-assessment').count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: 'Try it on Draw' }).getAttribute('href')).toBe(
      `/draw?model=${versionId}`,
    );
    await page.screenshot({ path: artifactPath('model-version.png'), fullPage: true });
    // Without ADMIN_TOKEN on the server, nobody (this visitor included) can change the default.
    await page.getByText(/Operator: serve this CNN by default/).click();
    await page.getByPlaceholder(/operator token/).fill('a-guess-at-the-operator-token');
    await page.getByRole('button', { name: 'Serve by default' }).click();
    await expect
      .poll(
        () =>
          page
            .getByTestId('operator-message')
            .innerText()
            .catch(() => ''),
        { timeout: 10_000 },
      )
      .toContain('started without ADMIN_TOKEN');
    await page.goto(`${server.url}/models`);
    await page.getByTestId('model-list').waitFor();
    expect(await page.getByTestId('model-list').innerText()).toContain('browser test');
  },
  120_000,
);

// Last: it leaves 200 newer versions behind, which push the others off the lists.
pageTest('picks the version named in the link also when it is older than the newest 200', async (page) => {
  await registerNewerVersions(server.db);
  await page.goto(`${server.url}/draw?model=${versionId}`);
  await expect
    .poll(() => page.getByTestId('model-picker-cnn').inputValue(), { timeout: 15_000 })
    .toBe(String(versionId));
});
