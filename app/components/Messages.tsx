/** The two ways a page says something went wrong: a refusal next to a form, and data that did not load. */

/** A request's refusal (the server's sentence) where the person acted; nothing when there is none. */
export function ErrorMessage({
  message,
  className = 'text-sm text-rose-300',
}: {
  message: string | null | undefined;
  className?: string;
}) {
  if (!message) return null;
  return (
    <p role="alert" className={className}>
      {message}
    </p>
  );
}

/** A page's body until its data arrives: "Loading…", or why it could not load. */
export function NotLoaded({ error }: { error: string | null | undefined }) {
  if (error)
    return (
      <p role="alert" className="mt-6 text-rose-400">
        {error}
      </p>
    );
  return <p className="mt-6 text-zinc-400">Loading…</p>;
}
