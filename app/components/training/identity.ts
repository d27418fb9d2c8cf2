/**
 * Who this browser is to the sessions: an id generated once and kept in localStorage (the browser
 * that creates a session hosts it), and the nickname, shared with the drawing rooms. Issue 6's
 * guest cookie will take over the id; pages only call these two functions.
 */
const CLIENT_ID_KEY = 'fmp.clientId';
const NICKNAME_KEY = 'fmp.nickname';

/** crypto.getRandomValues works on plain http too (randomUUID needs a secure context, e.g. a phone on the LAN). */
function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function getClientId(): string {
  let id = localStorage.getItem(CLIENT_ID_KEY);
  if (!id || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) {
    id = newClientId();
    localStorage.setItem(CLIENT_ID_KEY, id);
  }
  return id;
}

export function getNickname(): string | null {
  return localStorage.getItem(NICKNAME_KEY)?.trim() || null;
}

export function setNickname(nickname: string): void {
  localStorage.setItem(NICKNAME_KEY, nickname.trim());
}

/** A friendly default for a first visit: "Guest 4821". */
export function defaultNickname(): string {
  return `Guest ${1000 + Math.floor(Math.random() * 9000)}`;
}
