'use client';
/**
 * Live moderation on every page that lists content: `useModerationVersion()` changes whenever an
 * operator hides something or shows it again (`moderation:changed`), so a list that depends on it
 * reloads and the hidden thing disappears without a page reload.
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
