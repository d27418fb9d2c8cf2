'use client';
/** A gallery item's page body: picture, figures, lineage, variations, add to a collection. */
import { useEffect, useState } from 'react';
import type { RequestData } from '../../../lib/protocol';
import { CLASS_NAMES } from '../../../lib/classes';
import { request } from '../../realtime/socket';
import { useReloadKey } from '../../realtime/reload';
import { NicknameForm, useGuest } from '../../identity';
import { GarmentImage } from '../../components/GarmentImage';
import { NotLoaded } from '../../components/Messages';

type Detail = RequestData<'gallery:item'>;

export function GalleryItemView({ id }: { id: number }) {
  const { guest } = useGuest();
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [variations, setVariations] = useState<{ image: string; confidence: number }[]>([]);
  const [collections, setCollections] = useState<{ id: string; title: string }[]>([]);
  const [note, setNote] = useState<string | null>(null);
  const [drawingVariations, setDrawingVariations] = useState(false);

  // A connection back after a drop retries a load that failed meanwhile (and a moderation change reloads).
  const reload = useReloadKey();
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is a trigger
  useEffect(() => {
    if (!Number.isInteger(id) || id < 1) return setError('This is not a gallery item number.');
    void request('gallery:item', { id }).then((r) => {
      if (!r.ok) return setError(r.error);
      setDetail(r.data);
      setError(null);
    });
  }, [id, reload]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload is a trigger
  useEffect(() => {
    if (guest)
      void request('collections:list', { scope: 'mine' }).then((r) =>
        r.ok
          ? setCollections(r.data.collections)
          : setNote(`Your collections could not be loaded (${r.error}); reload to add this item.`),
      );
  }, [guest, reload]);

  if (error || !detail) return <NotLoaded error={error} />;
  const { item, lineage } = detail;
  return (
    <article className="mt-4">
      <h1 className="text-2xl font-semibold text-zinc-50">
        {CLASS_NAMES[item.label]} #{item.id}
      </h1>
      <div className="mt-4 flex flex-wrap gap-6">
        <GarmentImage
          src={item.image}
          alt={CLASS_NAMES[item.label]}
          size={280}
          className="rounded border border-zinc-800"
        />
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm text-zinc-300">
          <dt className="text-zinc-500">Votes</dt>
          <dd>
            {item.upVotes} keep, {item.downVotes} discard (score {item.score})
          </dd>
          <dt className="text-zinc-500">Judge confidence</dt>
          <dd>{(item.confidence * 100).toFixed(1)} %</dd>
          {item.session ? (
            <>
              <dt className="text-zinc-500">Made in</dt>
              <dd data-testid="item-session">
                the training session{' '}
                <a className="text-indigo-300 underline" href={`/sessions/${item.session.id}`}>
                  {item.session.name}
                </a>
                , from its weights after epoch {item.session.epoch} (voting round {item.round.number}, hosted by{' '}
                {item.author ?? 'unknown'})
              </dd>
            </>
          ) : (
            <>
              <dt className="text-zinc-500">Round</dt>
              <dd>
                {item.round.number} in room {item.round.room}, hosted by {item.author ?? 'unknown'}
              </dd>
            </>
          )}
          <dt className="text-zinc-500">Origin</dt>
          <dd>{item.origin}</dd>
          <dt className="text-zinc-500">Model version</dt>
          <dd>
            {item.modelVersion
              ? `${item.modelVersion.name} (#${item.modelVersion.id}, ${item.modelVersion.path})`
              : 'not recorded'}
          </dd>
          <dt className="text-zinc-500">Latent vector</dt>
          <dd className="max-w-md break-all font-mono text-xs">[{item.latent.map((v) => v.toFixed(2)).join(', ')}]</dd>
        </dl>
      </div>
      <h2 className="mt-8 text-lg font-semibold text-zinc-100">Lineage</h2>
      {lineage.length === 0 ? (
        <p className="text-sm text-zinc-400">A fresh draw from the prior: no ancestors.</p>
      ) : (
        <ul className="mt-2 flex flex-wrap gap-3">
          {lineage.map((a) => (
            <li key={a.candidateId} className="text-center text-xs text-zinc-400">
              <GarmentImage src={a.image} alt="ancestor" size={56} />
              {a.generation === 1 ? 'parent' : `${a.generation} back`} · r{a.roundNumber}
              {a.galleryItemId && (
                <a className="block text-indigo-300 underline" href={`/gallery/${a.galleryItemId}`}>
                  #{a.galleryItemId}
                </a>
              )}
            </li>
          ))}
        </ul>
      )}
      <h2 className="mt-8 text-lg font-semibold text-zinc-100">More like this</h2>
      <button
        disabled={drawingVariations}
        className="mt-2 rounded bg-indigo-500 px-3 py-1 text-sm font-semibold text-white disabled:opacity-60"
        onClick={async () => {
          // One generation at a time: it takes the VAE a few seconds, and clicks meanwhile would queue more.
          setDrawingVariations(true);
          const r = await request('gallery:variations', { id: item.id, count: 8 }, 30_000);
          setDrawingVariations(false);
          if (r.ok) setVariations(r.data.images);
          else setNote(r.error);
        }}
      >
        {drawingVariations ? 'Drawing…' : 'Draw variations'}
      </button>
      <ul className="mt-3 flex flex-wrap gap-2">
        {variations.map((v, i) => (
          <li key={i}>
            <GarmentImage
              src={v.image}
              alt="variation"
              size={84}
              title={`judge ${(v.confidence * 100).toFixed(0)} %`}
            />
          </li>
        ))}
      </ul>
      <h2 className="mt-8 text-lg font-semibold text-zinc-100">Add to a collection</h2>
      <NicknameForm why="Pick a nickname to collect" />
      {guest && (
        <div className="mt-2 flex flex-wrap gap-2 text-sm">
          {collections.map((c) => (
            <button
              key={c.id}
              className="rounded border border-zinc-700 px-2 py-1 text-zinc-200"
              onClick={async () => {
                const r = await request('collection:add', { id: c.id, galleryItemId: item.id });
                setNote(r.ok ? `Added to ${c.title}.` : r.error);
              }}
            >
              {c.title}
            </button>
          ))}
          <a className="text-indigo-300 underline" href="/collections">
            manage collections
          </a>
        </div>
      )}
      {note && (
        <p role="status" className="mt-2 text-sm text-zinc-300">
          {note}
        </p>
      )}
    </article>
  );
}
