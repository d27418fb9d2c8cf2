/**
 * The confusion matrix as a heat map: rows are the true classes, columns the model's guesses;
 * each cell is shaded by its share of its row, the diagonal (right answers) in green, mistakes in
 * red, so the classes the model mixes up (shirt and T-shirt, say) stand out.
 */
import { CLASS_NAMES } from '../../../lib/classes';
import { SHORT_CLASS_NAMES } from './format';

export function ConfusionMatrix({ matrix }: { matrix: number[][] }) {
  const rowSums = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  return (
    <div data-testid="confusion-matrix" className="min-w-0 overflow-x-auto">
      <table className="w-full table-fixed border-separate border-spacing-[2px] text-[10px] sm:text-[11px]">
        <caption className="caption-bottom pt-2 text-left text-xs text-zinc-500">
          Rows: the true class. Columns: what the model said. Shade: share of the row.
        </caption>
        <thead>
          <tr>
            <th className="w-14 sm:w-20" />
            {SHORT_CLASS_NAMES.map((name, j) => (
              <th key={j} scope="col" className="h-16 p-0 align-bottom font-normal text-zinc-400">
                <span className="inline-block origin-bottom-left translate-x-1/2 -rotate-60 whitespace-nowrap">
                  {name}
                </span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => (
            <tr key={i}>
              <th scope="row" className="truncate pr-1 text-right font-normal text-zinc-400">
                {SHORT_CLASS_NAMES[i]}
              </th>
              {row.map((count, j) => {
                const share = rowSums[i] ? count / rowSums[i]! : 0;
                const diagonal = i === j;
                const alpha = count === 0 ? 0 : 0.12 + 0.88 * Math.sqrt(share);
                const color = diagonal ? `rgba(52, 211, 153, ${alpha})` : `rgba(251, 113, 133, ${alpha})`;
                return (
                  <td
                    key={j}
                    title={`${CLASS_NAMES[i]} taken for ${CLASS_NAMES[j]}: ${count} of ${rowSums[i]} (${(100 * share).toFixed(1)} %)`}
                    className={`aspect-square rounded-[3px] p-0 text-center tabular-nums ${share > 0.45 ? 'text-zinc-950' : 'text-zinc-300'} ${count === 0 ? 'bg-zinc-900' : ''}`}
                    style={count ? { backgroundColor: color } : undefined}
                  >
                    <span className="hidden sm:inline">{count || ''}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
