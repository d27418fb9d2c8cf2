/**
 * Creating a session: model kind, hyperparameters within the protocol's bounds (checked here by
 * the same schema the server uses, so mistakes show before sending), a name and the nickname.
 * The creator becomes the host and lands on the new session's page.
 */
'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { z } from 'zod';
import { SESSION_LIMITS, SessionConfigSchema, type SessionKind } from '../../../lib/protocol';
import { request } from '../../realtime/socket';
import { KIND_LABEL } from './format';
import { defaultNickname, ensureNickname, useGuest } from '../../identity';

const SUBSETS = [1000, 3000, 6000, 12000, 30000, 60000];

const field = 'w-full rounded-lg border border-zinc-700 bg-zinc-900 px-3 py-2 text-sm text-zinc-100 focus:border-indigo-400 focus:outline-none';

function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    <label className="flex min-w-0 flex-col gap-1">
      <span className="text-xs font-medium text-zinc-300">{label}</span>
      {children}
      {hint && <span className="text-[11px] text-zinc-500">{hint}</span>}
    </label>
  );
}

export function CreateSessionForm() {
  const router = useRouter();
  const [kind, setKind] = useState<SessionKind>('cnn');
  const [name, setName] = useState('');
  const [nickname, setNick] = useState('');
  const [epochs, setEpochs] = useState('3');
  const [batchSize, setBatchSize] = useState('64');
  const [lr, setLr] = useState('0.002');
  const [lrSchedule, setLrSchedule] = useState<'cosine' | 'constant'>('cosine');
  const [beta, setBeta] = useState('0.1');
  const [perceptual, setPerceptual] = useState(true);
  const [adversarial, setAdversarial] = useState(true);
  const [trainLimit, setTrainLimit] = useState('3000');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const { guest, loaded } = useGuest();
  // The form shows who you are; typing another name here changes your nickname everywhere.
  useEffect(() => {
    if (loaded) setNick((n) => n || (guest?.nickname ?? defaultNickname()));
  }, [guest, loaded]);

  const submit = async () => {
    const parsed = SessionConfigSchema.safeParse({
      name: name.trim() || `${nickname.trim() || 'Someone'}'s ${kind.toUpperCase()}`,
      kind,
      epochs: Number(epochs),
      batchSize: Number(batchSize),
      lr: Number(lr),
      lrSchedule,
      beta: Number(beta),
      perceptual,
      adversarial,
      trainLimit: Number(trainLimit),
    });
    if (!parsed.success) return setError(parsed.error.issues.map((i) => i.message).join(' '));
    const nick = z.string().trim().min(1).max(24).safeParse(nickname);
    if (!nick.success) return setError('Choose a nickname of 1-24 characters.');
    setBusy(true);
    setError(null);
    const refused = await ensureNickname(nick.data);
    if (refused) {
      setBusy(false);
      return setError(refused);
    }
    const reply = await request('session:create', { config: parsed.data });
    if (!reply.ok) {
      setBusy(false);
      return setError(reply.error);
    }
    router.push(`/sessions/${reply.data.sessionId}`);
  };

  return (
    <form
      data-testid="create-session"
      className="flex flex-col gap-4 rounded-xl border border-zinc-800 bg-zinc-900/40 p-4"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2 className="text-sm font-semibold text-zinc-200">Start a session</h2>
      <div role="radiogroup" aria-label="Model" className="grid grid-cols-2 gap-1 rounded-lg bg-zinc-800/60 p-1">
        {(['cnn', 'vae'] as const).map((k) => (
          <button
            key={k}
            type="button"
            role="radio"
            aria-checked={kind === k}
            onClick={() => setKind(k)}
            className={`rounded-md px-2 py-1.5 text-xs font-medium transition ${kind === k ? 'bg-indigo-500 text-white' : 'text-zinc-300 hover:bg-zinc-700/60'}`}
          >
            {KIND_LABEL[k]}
          </button>
        ))}
      </div>
      <p className="-mt-2 text-[11px] leading-relaxed text-zinc-500">
        {kind === 'cnn'
          ? 'Learns to tell the ten garments apart; watch its accuracy and its mistakes.'
          : 'Learns to draw garments of a chosen class; watch its samples sharpen.'}
      </p>
      <Field label="Session name">
        <input name="name" className={field} value={name} maxLength={SESSION_LIMITS.name} placeholder="e.g. Friday lab" onChange={(e) => setName(e.target.value)} />
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <Field label="Epochs" hint={`1-${SESSION_LIMITS.epochs}`}>
          <input name="epochs" className={field} inputMode="numeric" value={epochs} onChange={(e) => setEpochs(e.target.value)} />
        </Field>
        <Field label="Training images">
          <select name="trainLimit" className={field} value={trainLimit} onChange={(e) => setTrainLimit(e.target.value)}>
            {SUBSETS.map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString('en')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Batch size" hint={`${SESSION_LIMITS.minBatchSize}-${SESSION_LIMITS.maxBatchSize}`}>
          <input name="batchSize" className={field} inputMode="numeric" value={batchSize} onChange={(e) => setBatchSize(e.target.value)} />
        </Field>
        <Field label="Learning rate">
          <input name="lr" className={field} inputMode="decimal" value={lr} onChange={(e) => setLr(e.target.value)} />
        </Field>
        <Field label="Schedule">
          <select className={field} value={lrSchedule} onChange={(e) => setLrSchedule(e.target.value as 'cosine' | 'constant')}>
            <option value="cosine">cosine decay</option>
            <option value="constant">constant</option>
          </select>
        </Field>
        {kind === 'vae' && (
          <Field label="β (KL weight)" hint="1 = the true bound">
            <input name="beta" className={field} inputMode="decimal" value={beta} onChange={(e) => setBeta(e.target.value)} />
          </Field>
        )}
        {kind === 'vae' && (
          <Field label="Perceptual loss" hint="sharper samples, ~30 % slower">
            <span className="flex items-center gap-2 py-2 text-sm text-zinc-300">
              <input name="perceptual" type="checkbox" checked={perceptual} onChange={(e) => setPerceptual(e.target.checked)} />
              match a CNN&apos;s features
            </span>
          </Field>
        )}
        {kind === 'vae' && (
          <Field label="Adversarial critic" hint="less blur, ~20 % slower">
            <span className="flex items-center gap-2 py-2 text-sm text-zinc-300">
              <input name="adversarial" type="checkbox" checked={adversarial} onChange={(e) => setAdversarial(e.target.checked)} />
              sharpen with a critic
            </span>
          </Field>
        )}
      </div>
      <Field label="Your nickname" hint="the same on every page of the playground; you host the session under it">
        <input name="nickname" className={field} value={nickname} maxLength={24} onChange={(e) => setNick(e.target.value)} />
      </Field>
      {error && (
        <p role="alert" className="text-sm text-rose-300">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className="rounded-lg bg-indigo-500 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-400 disabled:opacity-50">
        {busy ? 'Creating…' : 'Create and open'}
      </button>
    </form>
  );
}
