/** The pools rules, in catalogue order. */
import type { Rule } from '../../rule';

export const poolsRules: Rule[] = [];
