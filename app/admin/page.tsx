/** /admin: the operator's moderation page (hide and show again gallery items, drawings, collections, nicknames). */
import type { Metadata } from 'next';
import { Page } from '../components/Page';
import { ModerationPanel } from './ModerationPanel';

export const metadata: Metadata = { title: 'Moderation', robots: { index: false } };

export default function AdminPage() {
  return (
    <Page
      narrow
      title="Moderation"
      intro="For the operator (the server's ADMIN_TOKEN). Hidden things disappear from every page at once; nothing is deleted, and showing one again brings it back."
    >
      <ModerationPanel />
    </Page>
  );
}
