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
import { ErrorMessage } from '../Messages';
import { RadioChoices } from '../RadioChoices';
import { KIND_LABEL } from './format';
import { defaultNickname, ensureNickname, useGuest } from '../../identity';

const SUBSETS = [1000, 3000, 6000, 12000, 30000, 60000];

/**
 * The batch size a subset trains well with: a small subset needs small batches for enough
 * optimizer steps (measured, CNN session, 1,000 images, 2 epochs: 55 % test accuracy at batch 64,
 * 67 % at batch 16). The form follows it until the batch size is edited by hand.
 */
export function batchSizeFor(trainLimit: number): number {
  return trainLimit <= 1000 ? 16 : trainLimit <= 3000 ? 32 : 64;
}

/**
 * Training images per second of one session (one worker thread) on an idle 2-core server, for the
 * form's time estimate: the VAE's from bench:ml (421 plain, x 294/421 with the perceptual loss,
 * x 205/258 with the critic); the CNN's from the committed classifier's training log (~150 per
 * worker). A busy server is slower; the session page shows the real speed and ETA.
 */
function imagesPerSecond(kind: SessionKind, perceptual: boolean, adversarial: boolean): number {
  if (kind === 'cnn') return 150;
  return 421 * (perceptual ? 294 / 421 : 1) * (adversarial ? 205 / 258 : 1);
}

/** Settings that make a good 2-minute show on this kind of server (about 18,000 images of training). */
const SHOW: Record<
  SessionKind,
  { epochs: number; trainLimit: number; perceptual: boolean; adversarial: boolean; says: string }
> = {
  cnn: {
    epochs: 3,
    trainLimit: 6000,
    perceptual: true,
    adversarial: true,
    says: '6,000 images, 3 epochs, batch 64: the accuracy climbs and the confusion matrix sharpens epoch by epoch.',
  },
  vae: {
    epochs: 3,
    trainLimit: 6000,
    perceptual: false,
    adversarial: true,
    says: '6,000 images, 3 epochs, batch 64, with the critic, without the perceptual loss: the samples turn from blurs into garments; open a voting round after each epoch.',
  },
};

const field =
  'w-full rounded-lg border border-zinc-700 bg-zinc-900 px-3 py-2 text-sm text-zinc-100 focus:border-indigo-400 focus:outline-none';

function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }) {
  return (
    <label className="flex min-w-0 flex-col gap-1">
      <span className="text-xs font-medium text-zinc-300">{label}</span>
      {children}
      {hint && <span className="text-[11px] text-zinc-500">{hint}</span>}
    </label>
  );
}

/** A number typed as text (checked by the schema on submit); `decimal` brings up a keypad with a point. */
function NumberField({
  name,
  label,
  hint,
  decimal = false,
  value,
  onChange,
}: {
  name: string;
  label: string;
  hint?: string;
  decimal?: boolean;
  value: string;
  onChange: (text: string) => void;
}) {
  return (
    <Field label={label} hint={hint}>
      <input
        name={name}
        className={field}
        inputMode={decimal ? 'decimal' : 'numeric'}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}

/** An on/off option of the training (a checkbox with what it does and what it costs). */
function Switch({
  name,
  label,
  hint,
  text,
  checked,
  onChange,
}: {
  name: string;
  label: string;
  hint: string;
  text: string;
  checked: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <Field label={label} hint={hint}>
      <span className="flex items-center gap-2 py-2 text-sm text-zinc-300">
        <input name={name} type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
        {text}
      </span>
    </Field>
  );
}

export function CreateSessionForm() {
  const router = useRouter();
  const [kind, setKind] = useState<SessionKind>('cnn');
  const [name, setName] = useState('');
  const [nickname, setNick] = useState('');
  const [epochs, setEpochs] = useState('3');
  const [batchSize, setBatchSize] = useState(String(batchSizeFor(3000)));
  const [lr, setLr] = useState('0.002');
  const [lrSchedule, setLrSchedule] = useState<'cosine' | 'constant'>('cosine');
  const [beta, setBeta] = useState('0.1');
  const [perceptual, setPerceptual] = useState(true);
  const [adversarial, setAdversarial] = useState(true);
  const [trainLimit, setTrainLimitValue] = useState('3000');
  const [batchEdited, setBatchEdited] = useState(false);
  const setTrainLimit = (value: string) => {
    setTrainLimitValue(value);
    if (!batchEdited) setBatchSize(String(batchSizeFor(Number(value))));
  };
  const applyShow = () => {
    const show = SHOW[kind];
    setEpochs(String(show.epochs));
    setTrainLimitValue(String(show.trainLimit));
    setBatchSize('64');
    setBatchEdited(false);
    setLr('0.002');
    setLrSchedule('cosine');
    if (kind === 'vae') {
      setPerceptual(show.perceptual);
      setAdversarial(show.adversarial);
    }
  };
  const seconds = (Number(epochs) * Number(trainLimit)) / imagesPerSecond(kind, perceptual, adversarial);
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
      <RadioChoices
        label="Model"
        look="segmented"
        value={kind}
        onChange={setKind}
        options={(['cnn', 'vae'] as const).map((k) => ({ value: k, content: KIND_LABEL[k] }))}
      />
      <p className="-mt-2 text-[11px] leading-relaxed text-zinc-500">
        {kind === 'cnn'
          ? 'Learns to tell the ten garments apart; watch its accuracy and its mistakes.'
          : 'Learns to draw garments of a chosen class; watch its samples sharpen.'}
      </p>
      <div
        className="rounded-lg border border-indigo-500/30 bg-indigo-500/10 p-3 text-[11px] leading-relaxed text-indigo-100"
        data-testid="show-hint"
      >
        <p>
          <span className="font-semibold">A good 2-minute show:</span> {SHOW[kind].says}{' '}
          <button type="button" onClick={applyShow} className="font-semibold text-indigo-300 underline">
            Use these settings
          </button>
        </p>
        <p className="mt-1 text-indigo-200/80" data-testid="estimate">
          {Number.isFinite(seconds) && seconds > 0
            ? `These settings: about ${seconds < 90 ? `${Math.max(10, Math.round(seconds / 10) * 10)} s` : `${Math.round(seconds / 60)} min`} of training on an idle server (plus a few seconds of evaluation per epoch); a busy one is slower, and the session page shows the real ETA.`
            : 'Fill in the epochs and the training images for a time estimate.'}{' '}
          Fewer images train faster but end less accurate; a single epoch is rarely worth watching.
        </p>
      </div>
      <Field label="Session name">
        <input
          name="name"
          className={field}
          value={name}
          maxLength={SESSION_LIMITS.name}
          placeholder="e.g. Friday lab"
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <div className="grid grid-cols-2 gap-3">
        <NumberField
          name="epochs"
          label="Epochs"
          hint={`1-${SESSION_LIMITS.epochs}`}
          value={epochs}
          onChange={setEpochs}
        />
        <Field label="Training images">
          <select
            name="trainLimit"
            className={field}
            value={trainLimit}
            onChange={(e) => setTrainLimit(e.target.value)}
          >
            {SUBSETS.map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString('en')}
              </option>
            ))}
          </select>
        </Field>
        <NumberField
          name="batchSize"
          label="Batch size"
          hint={`${SESSION_LIMITS.minBatchSize}-${SESSION_LIMITS.maxBatchSize}`}
          value={batchSize}
          onChange={(v) => {
            setBatchSize(v);
            setBatchEdited(true);
          }}
        />
        <NumberField name="lr" label="Learning rate" decimal value={lr} onChange={setLr} />
        <Field label="Schedule">
          <select
            className={field}
            value={lrSchedule}
            onChange={(e) => setLrSchedule(e.target.value as 'cosine' | 'constant')}
          >
            <option value="cosine">cosine decay</option>
            <option value="constant">constant</option>
          </select>
        </Field>
        {kind === 'vae' && (
          <>
            <NumberField
              name="beta"
              label="β (KL weight)"
              hint="1 = the true bound"
              decimal
              value={beta}
              onChange={setBeta}
            />
            {[
              {
                name: 'perceptual',
                label: 'Perceptual loss',
                hint: 'sharper samples, ~30 % slower',
                text: "match a CNN's features",
                checked: perceptual,
                onChange: setPerceptual,
              },
              {
                name: 'adversarial',
                label: 'Adversarial critic',
                hint: 'less blur, ~20 % slower',
                text: 'sharpen with a critic',
                checked: adversarial,
                onChange: setAdversarial,
              },
            ].map((option) => (
              <Switch key={option.name} {...option} />
            ))}
          </>
        )}
      </div>
      <Field label="Your nickname" hint="the same on every page of the playground; you host the session under it">
        <input
          name="nickname"
          className={field}
          value={nickname}
          maxLength={24}
          onChange={(e) => setNick(e.target.value)}
        />
      </Field>
      <ErrorMessage message={error} />
      <button
        type="submit"
        disabled={busy}
        className="rounded-lg bg-indigo-500 px-4 py-2 text-sm font-semibold text-white hover:bg-indigo-400 disabled:opacity-50"
      >
        {busy ? 'Creating…' : 'Create and open'}
      </button>
    </form>
  );
}
