/**
 * Upstream's DefaultNormalizeScore, in integer arithmetic as Go does it: scales scores so the highest is
 * MAX_NODE_SCORE (or, `reverse`, so the highest becomes 0 and 0 becomes MAX_NODE_SCORE).
 *
 *   [2, 4, 0]          → [50, 100, 0]
 *   [2, 4, 0] reverse  → [50, 0, 100]
 *   [0, 0] reverse     → [100, 100]
 */
import { MAX_NODE_SCORE } from './interfaces.js';

export function defaultNormalizeScore(
  scores: Float64Array,
  reverse: boolean,
  maxScore = MAX_NODE_SCORE,
): void {
  let highest = 0;
  for (const score of scores) if (score > highest) highest = score;
  if (highest === 0) {
    if (reverse) scores.fill(maxScore);
    return;
  }
  for (let index = 0; index < scores.length; index++) {
    let score = Math.trunc((maxScore * scores[index]!) / highest);
    if (reverse) score = maxScore - score;
    scores[index] = score;
  }
}
