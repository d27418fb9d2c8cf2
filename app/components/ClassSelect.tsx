/** The garment-class filter of the gallery and the voting room: one class, or all of them (null). */
import { CLASS_NAMES } from '../../lib/classes';

export function ClassSelect({ value, onChange }: { value: number | null; onChange: (label: number | null) => void }) {
  return (
    <select
      aria-label="class"
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
      className="rounded border border-zinc-700 bg-zinc-900 px-2 py-1 text-zinc-100"
    >
      <option value="">All classes</option>
      {CLASS_NAMES.map((n, i) => (
        <option key={n} value={i}>
          {n}
        </option>
      ))}
    </select>
  );
}
