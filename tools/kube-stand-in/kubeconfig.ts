/** A kubeconfig for the stand-in: context `stand-in`, plain http with TLS verification off, a token user. */
export function kubeconfigFor(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: stand-in',
    '    cluster:',
    `      server: ${url}`,
    '      insecure-skip-tls-verify: true',
    'users:',
    '  - name: stand-in',
    '    user:',
    '      token: stand-in-token',
    'contexts:',
    '  - name: stand-in',
    '    context:',
    '      cluster: stand-in',
    '      user: stand-in',
    '      namespace: default',
    'current-context: stand-in',
    'preferences: {}',
    '',
  ].join('\n');
}
