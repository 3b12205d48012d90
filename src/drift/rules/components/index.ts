/** The components rules, in catalogue order. */
import type { Rule } from '../../rule';

export const componentsRules: Rule[] = [];
