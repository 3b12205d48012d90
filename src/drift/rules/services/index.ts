/** The services rules, in catalogue order. */
import type { Rule } from '../../rule';

export const servicesRules: Rule[] = [];
