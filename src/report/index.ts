/** Report renderers: pure functions from a report to the text a user sees. */
import type { Report } from '../drift/model';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderTable } from './table';

export type OutputFormat = 'table' | 'json' | 'markdown';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'markdown'];

export function renderReport(report: Report, format: OutputFormat, options: { color: boolean }): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'table':
      return renderTable(report, options);
  }
}

export { renderJson, renderMarkdown, renderTable };
