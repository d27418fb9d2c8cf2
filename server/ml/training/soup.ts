/**
 * A greedy model soup (Wortsman et al. 2022, "Model soups", recipe 2): which of several models
 * fine-tuned from one start go into a weight average, chosen on held-out data. Each ingredient is
 * scored alone; starting from the best, the others are tried best first and each is kept only
 * when the average with it scores no worse than without it. The uniform average of every
 * ingredient can be worse than the best one alone; the greedy soup never is (on the data it was
 * chosen on).
 */

/** One ingredient tried on the soup: the soup tried (with it), its score, and whether it stayed. */
export interface SoupStep<T> {
  added: T;
  members: T[];
  score: number;
  kept: boolean;
}

export interface GreedySoup<T> {
  /** every ingredient scored alone, best (lowest) first */
  alone: { ingredient: T; score: number }[];
  /** the ingredients tried after the first, in that order */
  steps: SoupStep<T>[];
  /** the ingredients in the soup, in the order they went in */
  chosen: T[];
  /** the chosen soup's score */
  score: number;
}

/**
 * Chooses the soup. `score` rates the weight average of the given ingredients (one: that model
 * alone); lower is better (e.g. a validation Fréchet ratio); a score that is not a finite number,
 * alone or of a soup, is an error. Ties keep the ingredient: an average
 * of more models is no worse on the chosen data and tends to generalise better.
 */
export async function greedySoup<T>(
  ingredients: readonly T[],
  score: (members: readonly T[]) => Promise<number>,
  onStep?: (line: string) => void,
): Promise<GreedySoup<T>> {
  if (ingredients.length === 0) throw new Error('greedySoup needs at least one ingredient');
  const alone: GreedySoup<T>['alone'] = [];
  for (const ingredient of ingredients) {
    const s = await score([ingredient]);
    if (!Number.isFinite(s)) throw new Error(`greedySoup: ingredient ${String(ingredient)} scored ${s}`);
    alone.push({ ingredient, score: s });
    onStep?.(`alone: ${String(ingredient)} ${s.toFixed(4)}`);
  }
  // A stable sort: ingredients that score the same keep their given order.
  alone.sort((a, b) => a.score - b.score);
  const chosen = [alone[0]!.ingredient];
  let best = alone[0]!.score;
  const steps: SoupStep<T>[] = [];
  for (const { ingredient } of alone.slice(1)) {
    const members = [...chosen, ingredient];
    const s = await score(members);
    if (!Number.isFinite(s)) throw new Error(`greedySoup: the soup of ${members.map(String).join(', ')} scored ${s}`);
    const kept = s <= best;
    steps.push({ added: ingredient, members, score: s, kept });
    onStep?.(
      `soup of ${chosen.length + 1} with ${String(ingredient)}: ${s.toFixed(4)} (${kept ? 'kept' : 'left out'})`,
    );
    if (kept) {
      chosen.push(ingredient);
      best = s;
    }
  }
  return { alone, steps, chosen, score: best };
}
