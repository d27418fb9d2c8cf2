'use client';
/**
 * When a page's loaded content may be stale, as a number to put in its load effect's dependencies:
 * - `useModerationVersion()` changes whenever an operator hides something or shows it again
 *   (`moderation:changed`), so a list that depends on it reloads and the hidden thing disappears
 *   without a page reload;
 * - `useReloadKey()` changes then too, and also when the connection comes back after it was lost or
 *   could not be made: a request sent meanwhile failed ("No answer from the server…") or its reply
 *   may be outdated, and the page loads again by itself instead of waiting for a manual reload.
 */
import { useEffect, useState } from 'react';
import type { PushPayload } from '../../lib/protocol';
import { listen } from './socket';

export function useModerationVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const onChange = (_: PushPayload<'moderation:changed'>) => setVersion((v) => v + 1);
    return listen({ 'moderation:changed': onChange });
  }, []);
  return version;
}

export function useReloadKey(): number {
  const [key, setKey] = useState(0);
  useEffect(() => {
    const reload = () => setKey((k) => k + 1);
    // The first connection is not a reason to reload (a page's first request waits for it); a
    // connection after a drop or a failed attempt is.
    let lost = false;
    const onLost = () => {
      lost = true;
    };
    const onConnect = () => {
      if (!lost) return;
      lost = false;
      reload();
    };
    return listen({ 'moderation:changed': reload, disconnect: onLost, connect_error: onLost, connect: onConnect });
  }, []);
  return key;
}
