/** The README is part of the product: these keep it in step with the code it documents. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FINDING_CODES } from '../../src/drift/catalogue';
import { ERROR_CATALOGUE } from '../../src/errors';

const root = path.resolve(__dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('embeds deploy/rbac.yaml exactly', () => {
    const block = /<!-- rbac:start -->\n```yaml\n([\s\S]*?)```\n<!-- rbac:end -->/.exec(readme);
    expect(block?.[1]).toBe(readFileSync(path.join(root, 'deploy', 'rbac.yaml'), 'utf8'));
  });

  it.each(FINDING_CODES)('explains finding code %s', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it.each(Object.keys(ERROR_CATALOGUE))('lists error code %s with what to do', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\| \\S`, 'm'));
  });

  it('opens with the two quick-start commands', () => {
    const quickStart = readme.slice(readme.indexOf('## Quick start'));
    const commands = /```sh\n([\s\S]*?)```/.exec(quickStart)?.[1]?.trim().split('\n');
    expect(commands?.map((line) => line.split('#')[0]!.trim())).toEqual([
      'npm ci && npm run demo',
      'npm test',
    ]);
  });
});
