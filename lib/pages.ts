/**
 * What the server tells the pages about a request, in request headers it sets itself (a client's
 * own value is replaced): shared by server/main.ts, which sets them, and app/, which reads them.
 */

/** The origin a browser shows for this server (PUBLIC_URL's, else from Host): absolute URLs in the pages' metadata. */
export const PAGE_ORIGIN_HEADER = 'x-playground-origin';
