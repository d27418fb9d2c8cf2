/**
 * A join reply that arrives after newer pushes does not take the page back: the page joins while a
 * round is open, the server holds its reply, the round closes (pushed), then the held reply (the
 * round still open) arrives; the page keeps showing the round closed.
 */
import { expect, it, vi } from 'vitest';
import { connectWithCookie, ok, pickNickname, withBrowserPlayground } from '../identity/harness';

const pg = withBrowserPlayground();

it('keeps a round closed when the join reply sent before its close arrives after it', async () => {
  const { cookie } = await pickNickname(pg.server.url, 'host');
  const host = await connectWithCookie(pg.server.url, cookie);
  const rooms = pg.server.voting.rooms;
  const realState = rooms.state.bind(rooms);
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  let taken = () => {};
  const stateTaken = new Promise<void>((resolve) => (taken = resolve));
  // The page's join: its state is taken (the round open), then held until the test lets it go.
  const state = vi.spyOn(rooms, 'state').mockImplementationOnce(async (room) => {
    const s = await realState(room);
    taken();
    await gate;
    return s;
  });
  const page = await pg.browser.newPage();
  try {
    const { round } = await ok(host, 'vote:start', { room: 'vote', durationSeconds: 120 });
    await page.goto(pg.server.url + '/vote');
    await stateTaken;
    await ok(host, 'vote:close', { roundId: round.id });
    const status = page.getByTestId('round-status');
    await expect.poll(() => status.innerText(), { timeout: 10_000 }).toMatch(/: closed$/);

    release();
    // The reply goes out within this turn of the event loop; a push sent after it on the same
    // connection is shown only once the page has handled the reply.
    await new Promise((resolve) => setImmediate(resolve));
    const candidateId = round.candidates[0]!.id;
    pg.server.io.to('vote:vote').emit('vote:tally', { roundId: round.id, tallies: [{ candidateId, up: 42, down: 0 }] });
    await expect
      .poll(() => page.getByTestId('candidate-0').getByTestId('tally').innerText(), { timeout: 10_000 })
      .toBe('42');
    expect(await status.innerText()).toMatch(/: closed$/);
  } finally {
    release();
    state.mockRestore();
    await page.close();
    host.disconnect();
  }
}, 300_000);
