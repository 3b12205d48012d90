/** The README is part of the product: these keep it in step with the code it documents. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE, FINDING_CODES } from '../../src/drift/catalogue';
import { ERROR_CATALOGUE } from '../../src/errors';

const root = path.resolve(__dirname, '..', '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const findingsDoc = readFileSync(path.join(root, 'docs', 'findings.md'), 'utf8');

describe('README', () => {
  it('embeds deploy/base/rbac-read.yaml exactly', () => {
    const block = /<!-- rbac:start -->\n```yaml\n([\s\S]*?)```\n<!-- rbac:end -->/.exec(readme);
    expect(block?.[1]).toBe(readFileSync(path.join(root, 'deploy', 'base', 'rbac-read.yaml'), 'utf8'));
  });

  it.each(FINDING_CODES)('explains finding code %s', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it('links the finding catalogue', () => {
    expect(readme).toContain('[docs/findings.md](docs/findings.md)');
  });

  it.each(FINDING_CODES)('docs/findings.md gives %s its catalogue severity and fix', (code) => {
    const row = new RegExp(`^\\| \`${code}\` \\| (\\w+)[^|]* \\| .+ \\| (.+) \\|$`, 'm').exec(findingsDoc);
    expect(row?.[1]).toBe(CATALOGUE[code].severity);
    const fix = CATALOGUE[code].fix;
    expect(row?.[2]).toMatch(fix === null ? /^-$/ : new RegExp(`^\`${fix}\``));
  });

  it.each(Object.keys(ERROR_CATALOGUE))('lists error code %s with what to do', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\| \\S`, 'm'));
  });

  it('creates every Secret the manifests of deploy/ read, by the name they read it', () => {
    const created = [...readme.matchAll(/create secret generic ([-a-z0-9]+)/g)].map((m) => m[1]);
    const deploy = [
      'base/deployment-bot.yaml',
      'components/redis/redis-url.yaml',
      'overlays/external-redis/redis-secret.yaml',
    ]
      .map((f) => readFileSync(path.join(root, 'deploy', f), 'utf8'))
      .join('\n');
    const read = [...deploy.matchAll(/(?:secretRef:\s+name|secretKeyRef:\s+name): ([-a-z0-9]+)/g)].map(
      (m) => m[1],
    );
    expect(read.length).toBeGreaterThanOrEqual(3);
    for (const name of read) expect(created).toContain(name);
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
