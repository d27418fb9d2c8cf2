/**
 * A bar under the header when the server refused this page's connection (the reason, e.g. the page
 * comes from another site), or cannot be reached while Socket.IO retries: without it every part
 * of the page would wait for an answer without saying why.
 */
'use client';

import { useSyncExternalStore } from 'react';
import { connectionRefusal, onRefusalChange, serverUnreachable } from '../realtime/socket';

export function ConnectionNotice() {
  const refusal = useSyncExternalStore(onRefusalChange, connectionRefusal, () => null);
  const unreachable = useSyncExternalStore(onRefusalChange, serverUnreachable, () => false);
  if (!refusal && unreachable)
    return (
      <p
        role="status"
        data-testid="connection-unreachable"
        className="border-b border-amber-500/30 bg-amber-500/10 px-4 py-2 text-center text-sm text-amber-200"
      >
        Cannot reach the server; trying again…
      </p>
    );
  if (!refusal) return null;
  return (
    <p
      role="alert"
      data-testid="connection-refused"
      className="border-b border-rose-500/30 bg-rose-500/10 px-4 py-2 text-center text-sm text-rose-200"
    >
      The server refused this page&apos;s connection: {refusal}
    </p>
  );
}
