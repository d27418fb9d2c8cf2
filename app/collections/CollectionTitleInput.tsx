/** A collection's title as typed, cut at the length the server accepts (VOTE_LIMITS.collectionTitle). */
import { VOTE_LIMITS } from '../../lib/protocol';

export function CollectionTitleInput({
  value,
  onChange,
  placeholder,
}: {
  value: string;
  onChange: (title: string) => void;
  placeholder?: string;
}) {
  return (
    <input
      aria-label="title"
      maxLength={VOTE_LIMITS.collectionTitle}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder={placeholder}
      className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100"
    />
  );
}
